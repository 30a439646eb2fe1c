package io.mobl.protocol;

import java.util.Locale;

/** The text key of a run/preference pair, used for Kafka keys and metric tags ("run/0.7000,0.3000"). */
public final class PreferenceKey {
    private PreferenceKey() {}

    public static String of(String run, double[] preference) {
        return run + "/" + label(preference);
    }

    public static String label(double[] preference) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < preference.length; i++) {
            if (i > 0) b.append(',');
            b.append(String.format(Locale.ROOT, "%.4f", preference[i]));
        }
        return b.toString();
    }
}
