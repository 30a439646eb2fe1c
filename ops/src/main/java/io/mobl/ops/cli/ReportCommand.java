package io.mobl.ops.cli;

import io.mobl.ops.report.ParetoReport;
import io.mobl.ops.report.ParetoTopic;
import io.mobl.ops.config.MoblConfig;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.ParetoPoint;
import io.mobl.protocol.codec.JsonCodec;
import io.mobl.protocol.codec.JsonLines;
import io.mobl.protocol.codec.ParetoPointJsonLines;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Draw the Pareto front of a run (PNG, SVG or a self-contained HTML report), with convergence curves "
                + "when telemetry is given. The points come from a file (--from) or from the compacted Pareto topic (--topic). "
                + "With --curves, the accuracy curves of a hyper-cleaning experiment instead.")
public final class ReportCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--from", description = "Pareto points as JSON lines (./mobl run --out).")
    Path from;

    @Option(names = "--topic", description = "A compacted Pareto topic, e.g. mobl.pareto, read to its current end: "
            + "the latest point per run/preference.")
    String topic;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "The Kafka broker(s) that hold --topic. Default: mobl.kafka.bootstrap-servers.")
    String bootstrapServers;

    @Option(names = "--kafka-timeout", paramLabel = "SECONDS",
            description = "How long the broker may take to answer and hand over --topic. Default: ${DEFAULT-VALUE}.")
    int kafkaTimeoutSeconds;

    @Option(names = "--telemetry", description = "Iteration telemetry as JSON lines (./mobl run --telemetry-out), for convergence curves.")
    Path telemetry;

    @Option(names = "--curves", description = "A results.json of mobl experiment hyper-cleaning: draws its runs' "
            + "test accuracy against the UL iteration (one panel per data set; .png or .svg) instead of a front.")
    Path curves;

    @Option(names = "--out", required = true, description = "front.png, front.svg or report.html.")
    Path out;

    @Option(names = "--width", description = "Width of one panel in pixels. Default: ${DEFAULT-VALUE}.")
    int width;

    @Option(names = "--height", description = "Height in pixels. Default: ${DEFAULT-VALUE}.")
    int height;

    @Override
    public Integer call() {
        MoblConfig.Report settings = Main.config(spec.commandLine()).report();
        if (curves != null) {
            io.mobl.ops.report.AccuracyCurveChart.write(curves, out, settings.width(), settings.height());
            spec.commandLine().getOut().println("wrote " + out + " (test accuracy against the UL iteration)");
            return 0;
        }
        if ((from == null) == (topic == null)) {
            throw new InvalidInputException("--from/--topic", from == null ? "neither" : from + " and " + topic,
                    "exactly one of the two: a JSON-lines file or a Pareto topic");
        }
        List<ParetoPoint> points = from != null ? ParetoPointJsonLines.read(from) : readTopic(settings.kafkaTimeoutSeconds());
        ParetoReport report = ParetoReport.of(points);
        if (telemetry != null) report = report.withConvergence(JsonLines.<IterateTelemetry>read(telemetry, JsonCodec::decodeTelemetry));
        report.write(out, settings.width(), settings.height());
        spec.commandLine().getOut().println("wrote " + out + " (" + points.size() + " point(s))");
        return 0;
    }

    private List<ParetoPoint> readTopic(int kafkaTimeoutSeconds) {
        ParetoTopic.Front front = ParetoTopic.read(bootstrapServers, topic, Duration.ofSeconds(kafkaTimeoutSeconds));
        for (String skipped : front.skipped()) spec.commandLine().getErr().println("mobl: skipped a record that does not decode, " + skipped);
        if (front.points().isEmpty()) throw new InvalidInputException("--topic", topic, "a topic that holds Pareto points (it is empty)");
        return front.points();
    }
}
