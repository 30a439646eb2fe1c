package io.mobl.ops.cli;

import io.mobl.protocol.ParetoPoint;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** The Pareto points of a run as a fixed-width table on the terminal. */
final class ParetoTable {
    private ParetoTable() {}

    static void print(PrintWriter out, List<ParetoPoint> points) {
        if (points.isEmpty()) return;
        int s = points.get(0).objectives().length;
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-" + (9 * s) + "s", "preference"));
        for (int i = 1; i <= s; i++) header.append(String.format(Locale.ROOT, " %12s", "φ" + i));
        header.append(String.format(Locale.ROOT, " %12s %6s %10s %10s %10s %10s", "stationarity", "iter",
                "Gc(f)", "Gc(g)", "JV(g)", "HV(g)"));
        out.println(header);
        for (ParetoPoint p : points) {
            StringBuilder row = new StringBuilder();
            StringBuilder pref = new StringBuilder();
            for (int i = 0; i < s; i++) pref.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.3f", p.preference()[i]));
            row.append(String.format(Locale.ROOT, "%-" + (9 * s) + "s", pref));
            for (double v : p.objectives()) row.append(String.format(Locale.ROOT, " %12.6f", v));
            row.append(String.format(Locale.ROOT, " %12.3e %6d %10d %10d %10d %10d", p.stationarity(), p.iterations(),
                    p.oracleCalls().upperGradients(), p.oracleCalls().lowerGradients(),
                    p.oracleCalls().jacobianVectorProducts(), p.oracleCalls().hessianVectorProducts()));
            out.println(row);
        }
    }
}
