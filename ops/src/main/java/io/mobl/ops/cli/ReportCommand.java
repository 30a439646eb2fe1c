package io.mobl.ops.cli;

import io.mobl.ops.report.JsonLines;
import io.mobl.ops.report.ParetoReport;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.ParetoPoint;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Draw the Pareto front of a run (PNG, SVG or a self-contained HTML report), with convergence curves "
                + "when telemetry is given.")
public final class ReportCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--from", required = true, description = "Pareto points as JSON lines (./mobl run --out).")
    Path from;

    @Option(names = "--telemetry", description = "Iteration telemetry as JSON lines (./mobl run --telemetry-out), for convergence curves.")
    Path telemetry;

    @Option(names = "--out", required = true, description = "front.png, front.svg or report.html.")
    Path out;

    @Option(names = "--width", defaultValue = "800", description = "Width of one panel in pixels. Default: ${DEFAULT-VALUE}.")
    int width;

    @Option(names = "--height", defaultValue = "600", description = "Height in pixels. Default: ${DEFAULT-VALUE}.")
    int height;

    @Override
    public Integer call() {
        if (width < 100 || width > 10_000) throw new InvalidInputException("--width", width, "an integer from 100 to 10000");
        if (height < 100 || height > 10_000) throw new InvalidInputException("--height", height, "an integer from 100 to 10000");
        List<ParetoPoint> points = JsonLines.readParetoPoints(from);
        ParetoReport report = ParetoReport.of(points);
        if (telemetry != null) report = report.withConvergence(JsonLines.readTelemetry(telemetry));
        report.write(out, width, height);
        spec.commandLine().getOut().println("wrote " + out + " (" + points.size() + " point(s))");
        return 0;
    }
}
