package io.mobl.ops.report;

import io.mobl.ops.Records;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.ParetoPoint;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.imageio.ImageIO;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ParetoReportTest {
    @TempDir
    Path dir;

    @Test
    void twoObjectivesPlotOneScatterWhoseDataAreTheInputObjectives() {
        List<ParetoPoint> front = front("demo", 2, 7);
        List<XYChart> charts = ParetoReport.of(front).charts(600, 400);

        assertThat(charts).hasSize(1);
        XYSeries series = charts.get(0).getSeriesMap().get("demo");
        assertThat(series.getXYSeriesRenderStyle()).isEqualTo(XYSeries.XYSeriesRenderStyle.Scatter);
        assertThat(series.getXData()).containsExactly(column(front, 0));
        assertThat(series.getYData()).containsExactly(column(front, 1));
        assertThat(charts.get(0).getXAxisTitle()).isEqualTo("φ1");
        assertThat(charts.get(0).getYAxisTitle()).isEqualTo("φ2");
    }

    @Test
    void threeObjectivesPlotTheirThreeProjections() {
        List<ParetoPoint> front = front("demo", 3, 5);
        List<XYChart> charts = ParetoReport.of(front).charts(300, 300);

        int[][] pairs = {{0, 1}, {0, 2}, {1, 2}};
        assertThat(charts).hasSize(3);
        for (int i = 0; i < 3; i++) {
            XYSeries series = charts.get(i).getSeriesMap().get("demo");
            assertThat(series.getXData()).containsExactly(column(front, pairs[i][0]));
            assertThat(series.getYData()).containsExactly(column(front, pairs[i][1]));
            assertThat(charts.get(i).getXAxisTitle()).isEqualTo("φ" + (pairs[i][0] + 1));
            assertThat(charts.get(i).getYAxisTitle()).isEqualTo("φ" + (pairs[i][1] + 1));
        }
    }

    @Test
    void moreObjectivesDrawOneLinePerPointAcrossTheObjectiveAxes() {
        List<ParetoPoint> front = front("demo", 5, 4);
        List<XYChart> charts = ParetoReport.of(front).charts(800, 400);

        assertThat(charts).hasSize(1);
        List<XYSeries> lines = new ArrayList<>(charts.get(0).getSeriesMap().values());
        assertThat(lines).hasSize(front.size());
        for (int i = 0; i < front.size(); i++) {
            assertThat(lines.get(i).getName()).isEqualTo(ParetoReport.preferenceLabel(front.get(i).preference()));
            assertThat(lines.get(i).getXData()).containsExactly(1, 2, 3, 4, 5);
            assertThat(lines.get(i).getYData()).containsExactly(front.get(i).objectives());
        }
    }

    @Test
    void eachRunIsASeriesOfItsOwn() {
        List<ParetoPoint> points = new ArrayList<>(front("a", 2, 3));
        points.addAll(front("b", 2, 4));
        XYChart chart = ParetoReport.of(points).charts(600, 400).get(0);

        assertThat(chart.getSeriesMap()).containsOnlyKeys("a", "b");
        assertThat(chart.getSeriesMap().get("b").getXData()).containsExactly(column(points.subList(3, 7), 0));
    }

    @Property(tries = 30)
    void thePlottedPointsAreExactlyTheInput(@ForAll @Size(min = 1, max = 40) List<@DoubleRange(min = -1e6, max = 1e6) Double> values,
                                            @ForAll @IntRange(min = 2, max = 6) int objectives) {
        List<ParetoPoint> points = new ArrayList<>();
        for (int i = 0; i + objectives <= values.size() || points.isEmpty(); i += objectives) {
            double[] phi = new double[objectives];
            for (int s = 0; s < objectives; s++) phi[s] = values.get((i + s) % values.size());
            points.add(Records.point("p", uniform(objectives), phi));
        }
        List<XYChart> charts = ParetoReport.of(points).charts(400, 300);
        if (objectives == 2) {
            assertThat(charts.get(0).getSeriesMap().get("p").getXData()).containsExactly(column(points, 0));
            assertThat(charts.get(0).getSeriesMap().get("p").getYData()).containsExactly(column(points, 1));
        } else if (objectives == 3) {
            assertThat(charts.get(2).getSeriesMap().get("p").getXData()).containsExactly(column(points, 1));
            assertThat(charts.get(2).getSeriesMap().get("p").getYData()).containsExactly(column(points, 2));
        } else {
            List<XYSeries> lines = new ArrayList<>(charts.get(0).getSeriesMap().values());
            for (int i = 0; i < points.size(); i++) {
                assertThat(lines.get(i).getYData()).containsExactly(points.get(i).objectives());
            }
        }
    }

    @Test
    void aPngDecodesToTheRequestedSize() throws Exception {
        for (int objectives : new int[] {2, 3, 5}) {
            Path png = dir.resolve("front" + objectives + ".png");
            ParetoReport.of(front("demo", objectives, 6)).write(png, 900, 420);

            BufferedImage image = ImageIO.read(png.toFile());
            assertThat(image).as("S = %d", objectives).isNotNull();
            assertThat(image.getWidth()).isEqualTo(900);
            assertThat(image.getHeight()).isEqualTo(420);
            assertThat(distinctColours(image)).as("something was drawn").isGreaterThan(3);
        }
    }

    @Test
    void anSvgParsesAsXmlAtTheRequestedSize() throws Exception {
        for (int objectives : new int[] {2, 3, 5}) {
            Path svg = dir.resolve("front" + objectives + ".svg");
            ParetoReport.of(front("demo", objectives, 6)).write(svg, 900, 420);

            Element root = parseXml(Files.readAllBytes(svg)).getDocumentElement();
            assertThat(root.getTagName()).isEqualTo("svg");
            assertThat(root.getAttribute("viewBox")).isEqualTo("0 0 900 420");
            assertThat(root.getElementsByTagName("path").getLength()).as("axes and glyphs").isPositive();
        }
    }

    @Test
    void theSvgMarkersMapBackToTheInputObjectives() throws Exception {
        List<ParetoPoint> front = front("demo", 2, 7);
        Element root = parseXml(ParetoReport.of(front).figure(700, 500).svg(700, 500).getBytes(StandardCharsets.UTF_8))
                .getDocumentElement();

        NodeList markers = root.getElementsByTagName("ellipse");
        assertThat(markers.getLength()).isEqualTo(front.size());
        double[] cx = new double[front.size()];
        double[] cy = new double[front.size()];
        for (int i = 0; i < front.size(); i++) {
            cx[i] = Double.parseDouble(((Element) markers.item(i)).getAttribute("cx"));
            cy[i] = Double.parseDouble(((Element) markers.item(i)).getAttribute("cy"));
        }
        // Screen coordinates are an affine image of (φ1, φ2): x grows to the right, y grows downwards.
        assertAffine(column(front, 0), cx, true);
        assertAffine(column(front, 1), cy, false);
    }

    private static void assertAffine(double[] data, double[] screen, boolean increasing) {
        int last = data.length - 1;
        double slope = (screen[last] - screen[0]) / (data[last] - data[0]);
        assertThat(slope > 0).isEqualTo(increasing);
        for (int i = 0; i < data.length; i++) {
            assertThat(screen[i]).isCloseTo(screen[0] + slope * (data[i] - data[0]), org.assertj.core.data.Offset.offset(0.01));
        }
    }

    @Test
    void theHtmlReportIsSelfContainedWithTheFrontAndARowPerPoint() throws Exception {
        List<ParetoPoint> front = front("demo<&>", 2, 6);
        List<IterateTelemetry> telemetry = new ArrayList<>();
        for (ParetoPoint point : front) {
            for (int k = 0; k < 5; k++) telemetry.add(Records.telemetry("demo<&>", point.preference(), k, point.objectives()));
        }
        Path html = dir.resolve("report/index.html");
        ParetoReport.of(front).withConvergence(telemetry).write(html, 800, 400);

        String text = Files.readString(html);
        assertThat(text).startsWith("<!DOCTYPE html>").doesNotContain("<script").doesNotContain("<link")
                .doesNotContain(" src=").contains("demo&lt;&amp;&gt;");
        Document page = parseXml(text.getBytes(StandardCharsets.UTF_8));
        assertThat(page.getElementsByTagName("svg").getLength()).isEqualTo(2);
        Element table = (Element) page.getElementsByTagName("tbody").item(0);
        NodeList rows = table.getElementsByTagName("tr");
        assertThat(rows.getLength()).isEqualTo(front.size());
        for (int i = 0; i < front.size(); i++) {
            NodeList cells = ((Element) rows.item(i)).getElementsByTagName("td");
            assertThat(cells.getLength()).isEqualTo(2 + 2 + 1 + 1 + 4);
            assertThat(Double.parseDouble(((Element) cells.item(2)).getAttribute("title")))
                    .isEqualTo(front.get(i).objectives()[0]);
            assertThat(Double.parseDouble(((Element) cells.item(3)).getAttribute("title")))
                    .isEqualTo(front.get(i).objectives()[1]);
        }
    }

    @Test
    void badInputsAreRejectedBeforeDrawing() {
        assertThatThrownBy(() -> ParetoReport.of(List.of())).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("at least one Pareto point");
        List<ParetoPoint> mixed = List.of(Records.point("a", uniform(2), new double[] {1, 2}),
                Records.point("a", uniform(3), new double[] {1, 2, 3}));
        assertThatThrownBy(() -> ParetoReport.of(mixed)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("points[1].objectives");
        ParetoReport report = ParetoReport.of(front("demo", 2, 3));
        assertThatThrownBy(() -> report.write(dir.resolve("front.pdf"), 600, 400))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining(".png, .svg or .html");
        assertThatThrownBy(() -> report.write(dir.resolve("front.png"), 10, 400))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("width = 10");
        assertThatThrownBy(() -> ParetoReport.of(front("demo", 3, 3)).write(dir.resolve("front.png"), 200, 400))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("3 panels");
    }

    @Test
    void convergenceCurvesAreSortedPerPreferenceOnALogAxis() throws Exception {
        double[] r1 = {0.3, 0.7};
        double[] r2 = {0.6, 0.4};
        List<IterateTelemetry> telemetry = List.of(
                gap(r1, 2, 0.25), gap(r2, 0, 2.0), gap(r1, 0, 1.0), gap(r1, 1, 0.5), gap(r2, 1, 0.0), gap(r2, 2, 0.5));
        XYChart chart = ConvergenceChart.build(telemetry, 600, 400);

        assertThat(chart.getStyler().isYAxisLogarithmic()).isTrue();
        assertThat(chart.getSeriesMap().get("r=(0.3000,0.7000)").getXData()).containsExactly(0, 1, 2);
        assertThat(chart.getSeriesMap().get("r=(0.3000,0.7000)").getYData()).containsExactly(1.0, 0.5, 0.25);
        assertThat(chart.getSeriesMap().get("r=(0.6000,0.4000)").getXData()).containsExactly(0, 2);
        assertThat(chart.getTitle()).contains("1 iterations with gap 0 not shown");

        Path png = dir.resolve("convergence.png");
        ConvergenceChart.write(telemetry, png, 640, 360);
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(640);
        assertThat(image.getHeight()).isEqualTo(360);
        assertThatThrownBy(() -> ConvergenceChart.build(List.of(gap(r1, 0, 0.0)), 600, 400))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("positive gap");
    }

    private static IterateTelemetry gap(double[] preference, int k, double stationarity) {
        return new IterateTelemetry("demo", preference, k, new double[] {1, 2}, preference, stationarity, 0,
                Records.calls(k), Map.of());
    }

    /** A convex front: preference r_1 = t, objectives t^2 + s/10 and so on, never twice the same. */
    static List<ParetoPoint> front(String run, int objectives, int size) {
        List<ParetoPoint> points = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            double t = i / (size + 1.0);
            double[] r = new double[objectives];
            double[] phi = new double[objectives];
            r[0] = t;
            for (int s = 1; s < objectives; s++) r[s] = (1 - t) / (objectives - 1);
            for (int s = 0; s < objectives; s++) phi[s] = Math.sqrt(r[s]) + 0.1 * s + 1e-3 * i;
            points.add(Records.point(run, r, phi));
        }
        return points;
    }

    private static double[] uniform(int objectives) {
        double[] r = new double[objectives];
        java.util.Arrays.fill(r, 1.0 / objectives);
        double sum = 0;
        for (double v : r) sum += v;
        r[0] += 1 - sum;
        return r;
    }

    private static double[] column(List<ParetoPoint> points, int objective) {
        return points.stream().mapToDouble(p -> p.objectives()[objective]).toArray();
    }

    private static long distinctColours(BufferedImage image) {
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 3) for (int x = 0; x < image.getWidth(); x += 3) colours.add(image.getRGB(x, y));
        return colours.size();
    }

    /** Parses XML without fetching anything (the SVG doctype names a DTD on the web). */
    static Document parseXml(byte[] bytes) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        factory.setValidating(false);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(bytes));
    }
}
