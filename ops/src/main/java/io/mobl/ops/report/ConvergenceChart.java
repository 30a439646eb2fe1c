package io.mobl.ops.report;

import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.PreferenceKey;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Convergence curves: the Pareto-stationarity gap (log scale) against the iteration k, one line per
 * run/preference, from a run's telemetry. The papers' rates (O(1/K) deterministic) show as straight lines.
 *
 * <p>A gap of exactly 0 has no place on a log axis: such iterations are left out of the line, and the chart's
 * title says how many were.
 */
public final class ConvergenceChart {
    /** Above this many lines, the legend is left out. */
    public static final int MAX_LEGEND_ENTRIES = 12;

    private ConvergenceChart() {}

    /**
     * @param telemetry at least one record; records of one run/preference are sorted by iteration
     * @throws InvalidInputException if {@code telemetry} is empty or has no positive gap at all
     */
    public static XYChart build(List<IterateTelemetry> telemetry, int width, int height) {
        Objects.requireNonNull(telemetry, "telemetry");
        if (telemetry.isEmpty()) throw new InvalidInputException("telemetry", "[]", "at least one telemetry record");
        Map<String, List<IterateTelemetry>> curves = new LinkedHashMap<>();
        for (IterateTelemetry t : telemetry) curves.computeIfAbsent(t.key(), key -> new ArrayList<>()).add(t);

        XYChart chart = new XYChartBuilder().width(width).height(height)
                .title("Convergence").xAxisTitle("iteration k").yAxisTitle("stationarity gap").build();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setLegendVisible(curves.size() <= MAX_LEGEND_ENTRIES);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        boolean severalRuns = telemetry.stream().map(IterateTelemetry::run).distinct().count() > 1;
        int zeros = 0;
        for (List<IterateTelemetry> curve : curves.values()) {
            List<IterateTelemetry> sorted = new ArrayList<>(curve);
            sorted.sort(Comparator.comparingInt(IterateTelemetry::iteration));
            List<Double> k = new ArrayList<>();
            List<Double> gap = new ArrayList<>();
            for (IterateTelemetry t : sorted) {
                if (t.stationarity() > 0) {
                    k.add((double) t.iteration());
                    gap.add(t.stationarity());
                } else {
                    zeros++;
                }
            }
            if (k.isEmpty()) continue;
            IterateTelemetry first = sorted.get(0);
            String name = (severalRuns ? first.run() + " " : "") + "r=(" + PreferenceKey.label(first.preference()) + ")";
            XYSeries series = chart.addSeries(name, k, gap);
            series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            series.setMarker(SeriesMarkers.NONE);
        }
        if (chart.getSeriesMap().isEmpty()) {
            throw new InvalidInputException("telemetry.stationarity", 0, "at least one positive gap to draw on a log axis");
        }
        if (zeros > 0) chart.setTitle("Convergence (" + zeros + " iterations with gap 0 not shown on the log axis)");
        return chart;
    }

    /** The chart as a one-panel figure. */
    public static Figure figure(List<IterateTelemetry> telemetry, int width, int height) {
        return new Figure(List.of(build(telemetry, width, height)));
    }

    /** Writes the chart as .png or .svg, by the file's extension. */
    public static void write(List<IterateTelemetry> telemetry, Path file, int width, int height) {
        String format = Figure.extension(file.getFileName().toString());
        if (!List.of("png", "svg").contains(format)) {
            throw new InvalidInputException("chart file", file, "a name ending in .png or .svg");
        }
        Figure figure = figure(telemetry, width, height);
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            try (OutputStream out = Files.newOutputStream(file)) {
                figure.write(out, format, width, height);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
