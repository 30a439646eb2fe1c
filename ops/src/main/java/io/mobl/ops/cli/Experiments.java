package io.mobl.ops.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code mobl experiment}: the real-data experiments, one subcommand each with its own options (its defaults are
 * {@code mobl.experiment.<name>.*} in reference.conf). Each needs the data sets: {@code scripts/fetch-datasets.sh}.
 */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = "Real-data experiments: hyper-cleaning (FORUM §5.1, MNIST + Fashion-MNIST, S = 2), "
                + "stochastic-hyper-cleaning (WC-MHGD §6 b, MNIST at 5 corruption rates, S = 5) and data-mixture "
                + "(Fashion-MNIST, mixture logits over class-skewed sources, WC-Penalty vs WC-MHGD). "
                + "Needs the data sets: scripts/fetch-datasets.sh. `mobl experiment NAME --help` lists each one's options.",
        subcommands = {ExperimentCommand.class, StochasticHyperCleaningCommand.class, DataMixtureCommand.class})
public final class Experiments implements Callable<Integer> {
    @Spec CommandSpec spec;

    /** {@code mobl experiment} alone: which experiments there are. */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(),
                "Missing the experiment: one of " + String.join(", ", spec.subcommands().keySet()));
    }
}
