package io.mobl.ops.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mobl.protocol.InvalidInputException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Test accuracy against the UL iteration k of a hyper-cleaning experiment ({@code mobl experiment hyper-cleaning},
 * its results.json): one panel per data set, one line per run (method, seed) and model (the iterate y_k, and the
 * running average where the run scored one), from each run's {@code curve}, with the paper's FORUM and MOML figures
 * as flat lines where results.json has them.
 */
public final class AccuracyCurveChart {
    private AccuracyCurveChart() {}

    /** The figure of a results.json. */
    public static Figure figure(Path results, int width, int height) {
        JsonNode json;
        try {
            json = new ObjectMapper().readTree(results.toFile());
        } catch (IOException e) {
            throw new InvalidInputException("results", results, "a readable results.json of mobl experiment hyper-cleaning ("
                    + e.getMessage() + ")");
        }
        JsonNode datasets = json.at("/settings/datasets");
        List<JsonNode> runs = new ArrayList<>();
        for (JsonNode run : json.path("runs")) if (run.path("curve").size() > 0) runs.add(run);
        if (!datasets.isArray() || runs.isEmpty()) {
            throw new InvalidInputException("results", results, "a hyper-cleaning results.json whose runs have a curve "
                    + "(methods forum-stochastic, moml-stochastic)");
        }
        List<XYChart> panels = new ArrayList<>();
        for (int d = 0; d < datasets.size(); d++) {
            String dataset = datasets.get(d).asText();
            XYChart chart = new XYChartBuilder().width(width).height(height).title(dataset + ": test accuracy")
                    .xAxisTitle("UL iteration k").yAxisTitle("accuracy (%)").build();
            chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
            chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
            double last = 0;
            for (JsonNode run : runs) {
                for (String model : new String[] {"iterate", "average"}) {
                    List<Double> k = new ArrayList<>();
                    List<Double> accuracy = new ArrayList<>();
                    for (JsonNode p : run.path("curve")) {
                        if (!p.path("model").asText().equals(model)) continue;
                        k.add(p.path("iteration").asDouble());
                        accuracy.add(100 * p.path("testAccuracy").get(d).asDouble());
                    }
                    if (k.isEmpty()) continue;
                    last = Math.max(last, k.get(k.size() - 1));
                    XYSeries s = chart.addSeries(run.path("method").asText() + " seed " + run.path("seed").asInt()
                            + (model.equals("average") ? " (average)" : ""), k, accuracy);
                    s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
                    s.setMarker(SeriesMarkers.NONE);
                }
            }
            for (String method : new String[] {"forum", "moml"}) {
                JsonNode paper = json.at("/paper/" + dataset + "/" + method + "/accuracy");
                if (!paper.isNumber() || last <= 0) continue;
                XYSeries s = chart.addSeries("paper " + method.toUpperCase(java.util.Locale.ROOT) + " " + paper.asDouble(),
                        List.of(0.0, last), List.of(paper.asDouble(), paper.asDouble()));
                s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
                s.setMarker(SeriesMarkers.NONE);
            }
            panels.add(chart);
        }
        return new Figure(panels);
    }

    /** Writes the figure as .png or .svg, by the file's extension; width is per panel. */
    public static void write(Path results, Path file, int width, int height) {
        String format = Figure.extension(file.getFileName().toString());
        if (!List.of("png", "svg").contains(format)) {
            throw new InvalidInputException("chart file", file, "a name ending in .png or .svg");
        }
        Figure figure = figure(results, width, height);
        int total = width * figure.panels().size();
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            try (OutputStream out = Files.newOutputStream(file)) {
                figure.write(out, format, total, height);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
