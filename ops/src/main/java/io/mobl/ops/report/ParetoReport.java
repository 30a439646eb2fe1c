package io.mobl.ops.report;

import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.ParetoPoint;
import io.mobl.protocol.PreferenceKey;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Pictures of a Pareto front, from the points a run wrote ({@link io.mobl.protocol.codec.ParetoPointJsonLines#read(java.nio.file.Path)}).
 *
 * <ul>
 * <li>S = 2: a scatter of (φ1, φ2), one series per run, each point labelled with its preference r;</li>
 * <li>S = 3: the three projections (φ1, φ2), (φ1, φ3), (φ2, φ3) side by side;</li>
 * <li>S &gt; 3: parallel coordinates — one line per point across the objective axes φ1 … φS.</li>
 * </ul>
 * Points are plotted exactly as given: in input order, with their raw objective values (no normalisation, no
 * de-duplication). Preference labels are drawn when a panel has at most {@value #MAX_LABELS} points; the HTML
 * report's table has them all.
 *
 * <p>{@link #write(Path, int, int)} picks the format from the file name: {@code .png}, {@code .svg} or
 * {@code .html} (a self-contained page with the front as inline SVG, the convergence curves when telemetry was
 * given, and a table of every point).
 */
public final class ParetoReport {
    /** Above this many points in one panel, the preference labels are left out (they would overlap). */
    public static final int MAX_LABELS = 20;
    /** Above this many lines, a parallel-coordinates legend is left out. */
    public static final int MAX_LEGEND_ENTRIES = 12;

    private final List<ParetoPoint> points;
    private final int objectives;
    private final List<IterateTelemetry> telemetry;

    private ParetoReport(List<ParetoPoint> points, List<IterateTelemetry> telemetry) {
        this.points = points;
        this.objectives = points.get(0).objectives().length;
        this.telemetry = telemetry;
    }

    /**
     * @param points the front, at least one point, all with the same number of objectives S ≥ 2
     * @throws InvalidInputException if the list is empty, or S differs between points or is 1
     */
    public static ParetoReport of(List<ParetoPoint> points) {
        Objects.requireNonNull(points, "points");
        if (points.isEmpty()) throw new InvalidInputException("points", "[]", "at least one Pareto point");
        int objectives = points.get(0).objectives().length;
        if (objectives < 2) {
            throw new InvalidInputException("points[0].objectives", points.get(0).objectives(),
                    "at least 2 objectives (a Pareto front needs S >= 2)");
        }
        for (int i = 1; i < points.size(); i++) {
            if (points.get(i).objectives().length != objectives) {
                throw new InvalidInputException("points[" + i + "].objectives", points.get(i).objectives(),
                        objectives + " objectives, as in points[0]");
            }
        }
        return new ParetoReport(List.copyOf(points), List.of());
    }

    /** The same report with convergence curves drawn from {@code telemetry} (HTML output only). */
    public ParetoReport withConvergence(List<IterateTelemetry> telemetry) {
        return new ParetoReport(points, List.copyOf(telemetry));
    }

    public List<ParetoPoint> points() {
        return points;
    }

    /** S, the number of objectives. */
    public int objectives() {
        return objectives;
    }

    /**
     * The front as XChart panels: one (S = 2 or S &gt; 3) or three (S = 3). Each chart is sized
     * {@code panelWidth × height}.
     */
    public List<XYChart> charts(int panelWidth, int height) {
        if (objectives == 2) return List.of(scatter(0, 1, panelWidth, height));
        if (objectives == 3) {
            return List.of(scatter(0, 1, panelWidth, height), scatter(0, 2, panelWidth, height),
                    scatter(1, 2, panelWidth, height));
        }
        return List.of(parallelCoordinates(panelWidth, height));
    }

    /** The front as a figure whose panels share {@code width × height}. */
    public Figure figure(int width, int height) {
        int panels = objectives == 3 ? 3 : 1;
        return new Figure(charts(Math.max(1, width / panels), height));
    }

    /**
     * Writes the report to {@code file} in the format its extension names (.png, .svg, .html), creating parent
     * directories.
     *
     * @throws InvalidInputException if the extension is none of those, or the size is out of range
     */
    public void write(Path file, int width, int height) {
        String format = Figure.extension(file.getFileName().toString());
        if (!List.of("png", "svg", "html").contains(format)) {
            throw new InvalidInputException("report file", file, "a name ending in .png, .svg or .html");
        }
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            try (OutputStream out = Files.newOutputStream(file)) {
                if (format.equals("html")) out.write(html(width, height).getBytes(StandardCharsets.UTF_8));
                else figure(width, height).write(out, format, width, height);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** A self-contained HTML page (well-formed XML, no external resources). */
    public String html(int width, int height) {
        return HtmlReport.render(this, figure(width, height).inlineSvg(width, height),
                telemetry.isEmpty() ? null : ConvergenceChart.figure(telemetry, width, height).inlineSvg(width, height));
    }

    /** Objective s (from 0) as the axes name it. */
    static String objectiveName(int s) {
        return "φ" + (s + 1);
    }

    /** The label of a preference on a chart: r = (0.3000,0.7000). */
    static String preferenceLabel(double[] preference) {
        return "r=(" + PreferenceKey.label(preference) + ")";
    }

    private XYChart scatter(int xObjective, int yObjective, int width, int height) {
        XYChart chart = new XYChartBuilder().width(width).height(height)
                .title(objectives == 2 ? "Pareto front" : "Pareto front: " + objectiveName(xObjective) + " vs "
                        + objectiveName(yObjective))
                .xAxisTitle(objectiveName(xObjective)).yAxisTitle(objectiveName(yObjective)).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setLegendVisible(runs().size() > 1);
        chart.getStyler().setMarkerSize(8);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        for (Map.Entry<String, List<ParetoPoint>> run : runs().entrySet()) {
            List<ParetoPoint> front = run.getValue();
            double[] x = new double[front.size()];
            double[] y = new double[front.size()];
            for (int i = 0; i < front.size(); i++) {
                x[i] = front.get(i).objectives()[xObjective];
                y[i] = front.get(i).objectives()[yObjective];
            }
            chart.addSeries(run.getKey(), x, y).setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        }
        if (points.size() <= MAX_LABELS) {
            // Labels sit a little above their marker (in data units, as XChart centres them on the point).
            double low = Double.POSITIVE_INFINITY;
            double high = Double.NEGATIVE_INFINITY;
            for (ParetoPoint point : points) {
                low = Math.min(low, point.objectives()[yObjective]);
                high = Math.max(high, point.objectives()[yObjective]);
            }
            double lift = 0.04 * (high > low ? high - low : Math.max(Math.abs(high), 1.0));
            for (ParetoPoint point : points) {
                chart.addAnnotation(new AnnotationText(shortLabel(point.preference()),
                        point.objectives()[xObjective], point.objectives()[yObjective] + lift, false));
            }
            chart.getStyler().setAnnotationTextFontColor(java.awt.Color.DARK_GRAY);
        }
        return chart;
    }

    private XYChart parallelCoordinates(int width, int height) {
        XYChart chart = new XYChartBuilder().width(width).height(height)
                .title("Pareto front: parallel coordinates (" + objectives + " objectives)")
                .xAxisTitle("objective").yAxisTitle("value").build();
        chart.getStyler().setLegendVisible(points.size() <= MAX_LEGEND_ENTRIES);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setxAxisTickLabelsFormattingFunction(ParetoReport::axisLabel);
        double[] axes = new double[objectives];
        for (int s = 0; s < objectives; s++) axes[s] = s + 1;
        Set<String> names = new HashSet<>();
        boolean severalRuns = runs().size() > 1;
        for (ParetoPoint point : points) {
            String name = (severalRuns ? point.run() + " " : "") + preferenceLabel(point.preference());
            String unique = name;
            for (int copy = 2; !names.add(unique); copy++) unique = name + " #" + copy;
            XYSeries series = chart.addSeries(unique, axes, point.objectives().clone());
            series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            series.setMarker(SeriesMarkers.CIRCLE);
        }
        return chart;
    }

    /** A preference as a chart annotation: r=(0.30,0.70); the table and legends carry four decimals. */
    static String shortLabel(double[] preference) {
        StringBuilder label = new StringBuilder("r=(");
        for (int i = 0; i < preference.length; i++) {
            if (i > 0) label.append(',');
            label.append(String.format(Locale.ROOT, "%.2f", preference[i]));
        }
        return label.append(')').toString();
    }

    /** "φs" on whole axis positions 1..S, nothing between them. */
    private static String axisLabel(Double position) {
        long rounded = Math.round(position);
        return Math.abs(position - rounded) < 1e-9 && rounded >= 1 ? objectiveName((int) rounded - 1) : "";
    }

    /** Points grouped by run, runs in order of first appearance. */
    private Map<String, List<ParetoPoint>> runs() {
        Map<String, List<ParetoPoint>> runs = new LinkedHashMap<>();
        for (ParetoPoint point : points) runs.computeIfAbsent(point.run(), run -> new ArrayList<>()).add(point);
        return runs;
    }

    static String format(double value) {
        return String.format(Locale.ROOT, "%.6g", value);
    }
}
