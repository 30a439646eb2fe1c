package io.mobl.ops.cli;

import io.mobl.core.data.HyperCleaningSplit;
import io.mobl.core.experiment.StochasticHyperCleaningSettings;
import io.mobl.ops.config.MoblConfig;
import io.mobl.protocol.InvalidInputException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mobl experiment stochastic-hyper-cleaning}: the WC-MHGD paper's stochastic hyper-cleaning (§6 b), S = 5
 * corruption rates of MNIST sharing one ℓ2 weight, run by {@link StochasticHyperCleaningExperiment}. The settings not
 * given here are the experiment's scaled defaults ({@link StochasticHyperCleaningSettings#scaledDefaults()}).
 */
@Command(name = "stochastic-hyper-cleaning", mixinStandardHelpOptions = true,
        description = "The WC-MHGD paper's stochastic hyper-cleaning (§6 b): MNIST at 5 corruption rates (S = 5), one "
                + "shared ℓ2 weight, stochastic WC-MHGD for the preferred, extremely preferred and uniform preferences. "
                + "Needs MNIST: scripts/fetch-datasets.sh.")
public final class StochasticHyperCleaningCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--seeds", description = "Seeds (corruption, batches, initialisation). Default: ${DEFAULT-VALUE}.")
    int seeds;

    @Option(names = "--out", description = "Output directory. Default: ${DEFAULT-VALUE}.")
    java.nio.file.Path out;

    @Option(names = "--model", description = "logistic (one multinomial logistic regression per rate) or mlp (a "
            + "784-512-256 trunk with one head per rate). Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--iterations", description = "K, UL iterations (default 60).")
    Integer iterations;

    @Option(names = "--lower-iterations", description = "D, LL SGD steps per UL iteration (default 20).")
    Integer lowerIterations;

    @Option(names = "--lower-step-size", description = "α (default 0.3).")
    Double lowerStepSize;

    @Option(names = "--upper-step-size", description = "β (default 1000).")
    Double upperStepSize;

    @Option(names = "--train-size", description = "Training images (default 5000).")
    Integer trainSize;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "Train on the per-example records that ./mobl produce --dataset mnist --format records wrote to "
                    + "the run's topics on this Kafka (same --run, --seed and --train-size) instead of an in-memory source; "
                    + "one seed, --seed. Without it: in memory, seeds 0..--seeds-1.")
    String bootstrapServers;

    @Option(names = "--run", description = "With --bootstrap-servers: read the topics of this run. Default: ${DEFAULT-VALUE}.")
    String run;

    @Option(names = "--seed", description = "With --bootstrap-servers: the seed produce split the data set with "
            + "(the models start from it too). Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--preferred", split = ",",
            description = "The objectives (corruption rates, 0-based) that get the preferred and extremely preferred "
                    + "preferences (default: the lowest and the highest rate, 0,4).")
    List<Integer> preferred;

    @Override
    public Integer call() {
        MoblConfig.StochasticHyperCleaning config = Main.config(spec.commandLine()).experiments().stochasticHyperCleaning();
        StochasticHyperCleaningSettings s = StochasticHyperCleaningSettings.scaledDefaults();
        s = s.withIterations(iterations != null ? iterations : s.iterations(),
                lowerIterations != null ? lowerIterations : s.lowerIterations());
        s = s.withSteps(lowerStepSize != null ? lowerStepSize : s.lowerStepSize(),
                upperStepSize != null ? upperStepSize : s.upperStepSize(), s.chebyshevWeight());
        if (trainSize != null) s = withSizes(s, trainSize, s.sizes().validation());
        if (config.model() == MoblConfig.Model.MLP) s = s.withHidden(new int[] {512, 256});
        List<Integer> chosen = preferred != null ? preferred : List.of(0, s.objectives() - 1);
        MoblConfig all = Main.config(spec.commandLine());
        var parsed = spec.commandLine().getParseResult();
        if (all.kafka().embedded()) {
            for (String option : List.of("--run", "--seed")) {
                if (parsed.hasMatchedOption(option)) {
                    throw new InvalidInputException(option, parsed.matchedOptionValue(option, null), "none without --bootstrap-servers (the in-memory runs use seeds 0..--seeds-1)");
                }
            }
            return new StochasticHyperCleaningExperiment(s, chosen, config.seeds(), config.out()).run(spec.commandLine().getOut());
        }
        if (parsed.hasMatchedOption("--seeds")) {
            throw new InvalidInputException("--seeds", config.seeds(), "none with --bootstrap-servers (the topics hold the data of one split: --seed)");
        }
        return StochasticHyperCleaningExperiment.fromKafka(s, chosen, config.out(), all.kafka().bootstrapServersProperty(), all.run(), all.topicsFor(all.run()), all.problem().seed())
                .run(spec.commandLine().getOut());
    }

    /** The settings with these training and validation sizes (the rest of the split as before). */
    static StochasticHyperCleaningSettings withSizes(StochasticHyperCleaningSettings s, int train, int validation) {
        HyperCleaningSplit.Sizes z = s.sizes();
        return s.withSizes(new HyperCleaningSplit.Sizes(train, validation, z.selection(), z.test(), 0));
    }
}
