package io.mobl.ops.cli;

import io.mobl.core.metrics.PreferenceGrid;
import io.mobl.ops.config.MoblConfig;
import io.mobl.protocol.Checks;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * One preference vector, or a sweep of N over the open simplex (P2). Which one, and its values, come from the typed
 * configuration ({@link MoblConfig#preferences()}): an option on the command line wins over the other one set in a
 * file or with --set, both on the command line are a mistake.
 */
public final class PreferenceOptions {
    @Spec(Spec.Target.MIXEE) CommandSpec command;

    @Option(names = "--preference", description = "A preference r in the open simplex, e.g. 0.7,0.3.")
    String preference;

    @Option(names = "--sweep", description = "Explore the Pareto front with N preferences spread over the simplex. Default: ${DEFAULT-VALUE}.")
    Integer sweep;

    /** The preferences to run on a problem of {@code objectives} objectives: the one given, or the sweep in force. */
    public List<double[]> build(int objectives) {
        return build(objectives, -1);
    }

    /**
     * The preferences to run on a problem of {@code objectives} objectives.
     *
     * @param defaultSweep the sweep to run when no user chose one, e.g. 1 for a command that runs one preference by
     *                     nature; -1: reference.conf's
     */
    public List<double[]> build(int objectives, int defaultSweep) {
        MoblConfig config = Main.config(command.commandLine());
        if (config.preferences() instanceof MoblConfig.Fixed fixed) {
            // the configuration checked it against mobl.problem.objectives; a problem file has its own S
            return List.of(Checks.preference(config.nameOf("mobl.preference"), fixed.preference(), objectives));
        }
        MoblConfig.Sweep sweep = (MoblConfig.Sweep) config.preferences();
        return List.of(PreferenceGrid.of(objectives, sweep.chosen() || defaultSweep < 0 ? sweep.count() : defaultSweep));
    }
}
