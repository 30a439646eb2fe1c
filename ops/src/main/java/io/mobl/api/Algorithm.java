package io.mobl.api;

import io.mobl.protocol.Checks;
import java.util.ArrayList;
import java.util.List;

/**
 * An algorithm and the settings a caller changes from their defaults, as an immutable value:
 * {@code Algorithm.wcMhgd().iterations(300).lowerIterations(20)}. Every setting not given takes the default
 * {@code mobl run} would (reference.conf), and every step size not given is derived from the problem
 * ({@link io.mobl.core.algorithm.StepSizes}); a bad value is refused as the CLI refuses it, naming the option.
 */
public final class Algorithm {
    private final String name;
    private final List<String> options;

    private Algorithm(String name, List<String> options) {
        this.name = name;
        this.options = List.copyOf(options);
    }

    /** WC-MHGD (Alg. 1) with Option 1, conjugate-gradient hypergradients. */
    public static Algorithm wcMhgd() { return new Algorithm("wc-mhgd", List.of("--hypergradient", "cg")); }
    /** WC-MHGD with Option 2, the Neumann series along the lower-level trajectory (Eq. (4)). */
    public static Algorithm wcMhgdNeumann() { return new Algorithm("wc-mhgd", List.of("--hypergradient", "ns")); }
    /** WC-Penalty (merely convex lower levels). */
    public static Algorithm wcPenalty() { return new Algorithm("wc-penalty", List.of()); }
    /** WC-Penalty on minibatches of a finite-sum lower level. */
    public static Algorithm wcPenaltyStochastic() { return new Algorithm("wc-penalty-stochastic", List.of()); }
    /** FORUM (first order: ∇f and ∇g only). */
    public static Algorithm forum() { return new Algorithm("forum", List.of()); }
    /** MOML: MGDA on unrolled hypergradients. */
    public static Algorithm moml() { return new Algorithm("moml", List.of()); }
    /** MoCo: MOML with tracked hypergradients. */
    public static Algorithm moco() { return new Algorithm("moco", List.of()); }
    /** Linear scalarisation: λ = r. */
    public static Algorithm linearScalarisation() { return new Algorithm("linear-scalarisation", List.of()); }
    /** MGDA without preference (P4). */
    public static Algorithm mgda() { return new Algorithm("mgda", List.of()); }

    /** K, the most outer iterations. */
    public Algorithm iterations(int k) { return with("--iterations", k); }
    /** ε: WC-MHGD stops once its stationarity gap is ≤ ε. */
    public Algorithm tolerance(double epsilon) { return with("--tolerance", epsilon); }
    /** D, lower-level steps per outer iteration (FORUM's T). */
    public Algorithm lowerIterations(int d) { return with("--lower-iterations", d); }
    /** α (FORUM's η); derived from the problem unless given. */
    public Algorithm lowerStepSize(double alpha) { return with("--lower-step-size", alpha); }
    /** β (FORUM's μ); derived from the problem unless given. */
    public Algorithm upperStepSize(double beta) { return with("--upper-step-size", beta); }
    /** u in Eq. (5). */
    public Algorithm chebyshevWeight(double u) { return with("--chebyshev-weight", u); }
    /** N, CG steps per hypergradient. */
    public Algorithm cgSteps(int n) { return with("--cg-steps", n); }
    /** FORUM's ρ. */
    public Algorithm rho(double rho) { return with("--rho", rho); }
    /** WC-Penalty's η₀ (η = η₀K^(−1/4)); derived from the problem unless given. */
    public Algorithm penaltyStep(double eta0) { return with("--penalty-step", eta0); }
    /** WC-Penalty's c₀ (u = v = c₀K^(1/4)). */
    public Algorithm penaltyScale(double c0) { return with("--penalty-scale", c0); }
    /** The stochastic WC-Penalty's minibatch rows. */
    public Algorithm penaltyBatch(int rows) { return with("--penalty-batch", rows); }

    /** Its name, as {@code --algorithm} takes it. */
    public String name() {
        return name;
    }

    /** The options as {@code mobl run} would take them, "--algorithm" first. */
    List<String> arguments() {
        List<String> all = new ArrayList<>(List.of("--algorithm", name));
        all.addAll(options);
        return all;
    }

    private Algorithm with(String option, Object value) {
        Checks.finite(option, value instanceof Number n ? n.doubleValue() : 0);
        List<String> next = new ArrayList<>(options);
        next.add(option);
        next.add(String.valueOf(value));
        return new Algorithm(name, next);
    }

    @Override
    public String toString() {
        return String.join(" ", arguments());
    }
}
