package io.mobl.ops.cli;

import io.mobl.core.metrics.PreferenceGrid;
import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** One preference vector, or a sweep of N over the open simplex (P2). */
public final class PreferenceOptions {
    @Spec(Spec.Target.MIXEE) CommandSpec command;

    @Option(names = "--preference", description = "A preference r in the open simplex, e.g. 0.7,0.3.")
    String preference;

    @Option(names = "--sweep", description = "Explore the Pareto front with N preferences spread over the simplex.")
    Integer sweep;

    /**
     * The preferences to run. Both options may have a value when one came from the configuration
     * (mobl.sweep has a default): the one given on the command line wins; given both there, it is an error.
     */
    public List<double[]> build(int objectives, int defaultSweep) {
        if (preference != null && sweep != null) {
            boolean preferenceGiven = given("--preference");
            boolean sweepGiven = given("--sweep");
            if (preferenceGiven == sweepGiven) {
                if (preferenceGiven) {
                    throw new InvalidInputException("--preference/--sweep", preference + " / " + sweep, "one of the two, not both");
                }
                sweep = null; // both from the configuration: MoblConfig has refused a user's setting both
            } else if (preferenceGiven) {
                sweep = null;
            } else {
                preference = null;
            }
        }
        if (preference != null) return List.of(parse(preference, objectives));
        int n = sweep == null ? defaultSweep : sweep;
        if (n < 1 || n > 10_000) throw new InvalidInputException("--sweep", n, "an integer from 1 to 10000");
        return List.of(PreferenceGrid.of(objectives, n));
    }

    private boolean given(String option) {
        if (command == null || command.commandLine() == null || command.commandLine().getParseResult() == null) {
            return true;
        }
        return command.commandLine().getParseResult().hasMatchedOption(option);
    }

    static double[] parse(String text, int objectives) {
        String[] parts = text.split(",");
        double[] values = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                values[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new InvalidInputException("--preference", text, objectives + " comma-separated numbers");
            }
        }
        return Checks.preference("--preference", values, objectives);
    }
}
