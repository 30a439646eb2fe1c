package io.mobl.ops.report;

import io.mobl.protocol.OracleCalls;
import io.mobl.protocol.ParetoPoint;
import io.mobl.protocol.PreferenceKey;

import java.util.List;

/**
 * The HTML page of a {@link ParetoReport}: inline SVG figures and a table of every point. The page is
 * well-formed XML (so tests and tools can parse it) and loads nothing from anywhere.
 */
final class HtmlReport {
    private HtmlReport() {}

    static String render(ParetoReport report, String frontSvg, String convergenceSvg) {
        List<ParetoPoint> points = report.points();
        int objectives = report.objectives();
        List<String> runs = points.stream().map(ParetoPoint::run).distinct().toList();
        StringBuilder html = new StringBuilder(16_384 + frontSvg.length());
        html.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n")
                .append("<meta charset=\"utf-8\"/>\n<title>mobl Pareto report: ")
                .append(escape(String.join(", ", runs))).append("</title>\n<style>\n")
                .append("body{font-family:sans-serif;margin:2em;color:#222}\n")
                .append("table{border-collapse:collapse;font-size:0.9em}\n")
                .append("th,td{border:1px solid #ccc;padding:0.25em 0.6em;text-align:right}\n")
                .append("th{background:#f4f4f4}td.text{text-align:left}\n")
                .append("figure{margin:1em 0}\n</style>\n</head>\n<body>\n");
        html.append("<h1>Pareto front</h1>\n<p>")
                .append(points.size()).append(points.size() == 1 ? " point, " : " points, ")
                .append(objectives).append(" objectives; run").append(runs.size() == 1 ? " " : "s ")
                .append(escape(String.join(", ", runs))).append(".</p>\n");
        html.append("<figure id=\"front\">\n").append(frontSvg).append("\n</figure>\n");
        if (convergenceSvg != null) {
            html.append("<h2>Convergence</h2>\n<figure id=\"convergence\">\n").append(convergenceSvg)
                    .append("\n</figure>\n");
        }
        html.append("<h2>Points</h2>\n<table id=\"points\">\n<thead><tr><th>run</th><th>preference r</th>");
        for (int s = 0; s < objectives; s++) html.append("<th>").append(ParetoReport.objectiveName(s)).append("</th>");
        html.append("<th>stationarity</th><th>iterations</th>")
                .append("<th>Gc(f)</th><th>Gc(g)</th><th>JV(g)</th><th>HV(g)</th></tr></thead>\n<tbody>\n");
        for (ParetoPoint point : points) {
            html.append("<tr><td class=\"text\">").append(escape(point.run())).append("</td><td class=\"text\">")
                    .append(PreferenceKey.label(point.preference())).append("</td>");
            for (double value : point.objectives()) number(html, value);
            number(html, point.stationarity());
            html.append("<td>").append(point.iterations()).append("</td>");
            OracleCalls calls = point.oracleCalls();
            for (long count : new long[] {calls.upperGradients(), calls.lowerGradients(),
                    calls.jacobianVectorProducts(), calls.hessianVectorProducts()}) {
                html.append("<td>").append(count).append("</td>");
            }
            html.append("</tr>\n");
        }
        html.append("</tbody>\n</table>\n</body>\n</html>\n");
        return html.toString();
    }

    /** A number shown to 6 significant digits, its exact value in the cell's title. */
    private static void number(StringBuilder html, double value) {
        html.append("<td title=\"").append(value).append("\">").append(ParetoReport.format(value)).append("</td>");
    }

    static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '&' -> escaped.append("&amp;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
