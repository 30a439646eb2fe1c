package io.mobl.ops.cli;

import io.mobl.core.experiment.DataMixtureSettings;
import io.mobl.core.problem.mixture.MixtureSplit;
import io.mobl.ops.config.MoblConfig;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mobl experiment data-mixture}: data-mixture curation on Fashion-MNIST (mixture logits over class-skewed
 * sources), WC-Penalty against WC-MHGD, run by {@link DataMixtureExperiment}. The settings not given here are the
 * experiment's ({@link DataMixtureSettings#defaults()}).
 */
@Command(name = "data-mixture", mixinStandardHelpOptions = true,
        description = "Data-mixture curation on Fashion-MNIST: mixture weights over 3 class-skewed sources, one "
                + "validation criterion per source, WC-Penalty (convex lower level) against WC-MHGD (CG). "
                + "Needs Fashion-MNIST: scripts/fetch-datasets.sh.")
public final class DataMixtureCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--seeds", description = "Seeds (splits, initialisation). Default: ${DEFAULT-VALUE}.")
    int seeds;

    @Option(names = "--out", description = "Output directory. Default: ${DEFAULT-VALUE}.")
    java.nio.file.Path out;

    @Option(names = "--methods", split = ",",
            description = "wc-penalty, and cg or ns (WC-MHGD's options). Default: ${DEFAULT-VALUE}.")
    List<String> methods;

    @Option(names = "--iterations", description = "K, WC-MHGD's UL iterations (default 20).")
    Integer iterations;

    @Option(names = "--penalty-iterations", description = "T, WC-Penalty's iterations (default 300).")
    Integer penaltyIterations;

    @Option(names = "--train-size", description = "Images per source (default 1000).")
    Integer trainSize;

    @Option(names = "--penalty-step", description = "WC-Penalty's η₀ of η = η₀·T^(−1/4) (default 0.1).")
    Double penaltyStep;

    @Option(names = "--penalty-scale", description = "WC-Penalty's c₀ of u = v = c₀·T^(1/4) (default 3).")
    Double penaltyScale;

    @Option(names = "--penalty-warm-start", description = "J, WC-Penalty's gradient steps on the lower level at x_0 "
            + "before its first step (default 200; 0: none).")
    Integer penaltyWarmStart;

    @Override
    public Integer call() {
        MoblConfig.DataMixture config = Main.config(spec.commandLine()).experiments().dataMixture();
        DataMixtureSettings s = DataMixtureSettings.defaults();
        s = s.withIterations(iterations != null ? iterations : s.iterations(),
                penaltyIterations != null ? penaltyIterations : s.penaltyIterations());
        s = s.withPenalty(penaltyStep != null ? penaltyStep : s.penaltyStep(),
                penaltyScale != null ? penaltyScale : s.penaltyScale(),
                penaltyWarmStart != null ? penaltyWarmStart : s.penaltyLowerIterations());
        if (trainSize != null) {
            MixtureSplit.Sizes z = s.sizes();
            s = s.withSizes(new MixtureSplit.Sizes(z.sources(), trainSize, z.validation(), z.test(), z.skew()));
        }
        return new DataMixtureExperiment(s, config.methods(), config.seeds(), config.out()).run(spec.commandLine().getOut());
    }
}
