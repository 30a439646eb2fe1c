package io.mobl.core.stochastic;

import io.mobl.core.problem.quadratic.QuadraticProblem;
import io.mobl.core.problem.quadratic.QuadraticProblems;
import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything that defines a stochastic quadratic problem and its data, compactly: a producer publishes the
 * minibatches of {@link #generator()} and a consumer rebuilds the very same mean problem from these ten numbers
 * with {@link #problem()} (as one line: {@link #format()} and {@link #parse}). The mean problem is {@link QuadraticProblems#dense}{@code (seed, p, q, S, κ, a)}, so
 * its exact y*, φ_s and ∇φ_s are known ({@link QuadraticProblem}); the noise is described in
 * {@link StochasticQuadraticProblem}.
 *
 * @param seed            the mean problem's seed and the root of every sample's draw
 * @param upperDimension  p ≥ 1
 * @param lowerDimension  q ≥ 1
 * @param objectives      S ≥ 1
 * @param conditionNumber κ of the mean lower-level Hessian A, ≥ 1
 * @param upperWeight     a_s, the weight of the x-term of every f_s, ≥ 0
 * @param lowerNoise      σ_g ≥ 0: standard deviation of each entry of the additive noise in ∇_y G
 * @param hessianNoise    h ∈ [0, 1): each sample's Hessian is A + Diag(δ) with δ_i uniform in [−hμ, hμ], so every
 *                        sample stays (1−h)μ-strongly convex (Assumption 5.1)
 * @param couplingNoise   σ_w ≥ 0: each sample's coupling is B·Diag(1 + w) with w_j ~ N(0, σ_w²) (noise in ∇²_xy G)
 * @param upperNoise      σ_f ≥ 0: standard deviation of each entry of the linear noise in F^{(s)} (both gradients)
 */
public record StochasticQuadraticSpec(long seed, int upperDimension, int lowerDimension, int objectives,
                                      double conditionNumber, double upperWeight, double lowerNoise,
                                      double hessianNoise, double couplingNoise, double upperNoise) {

    public StochasticQuadraticSpec {
        Checks.atLeast("upper-dimension", upperDimension, 1);
        Checks.atLeast("lower-dimension", lowerDimension, 1);
        Checks.atLeast("objectives", objectives, 1);
        if (!(conditionNumber >= 1) || !Double.isFinite(conditionNumber)) {
            throw new InvalidInputException("condition-number", conditionNumber, "a finite number >= 1");
        }
        Checks.nonNegative("upper-weight", upperWeight);
        Checks.nonNegative("lower-noise", lowerNoise);
        if (!(hessianNoise >= 0 && hessianNoise < 1)) {
            throw new InvalidInputException("hessian-noise", hessianNoise,
                    "a number in [0, 1) (each sample's lower level must stay strongly convex)");
        }
        Checks.nonNegative("coupling-noise", couplingNoise);
        Checks.nonNegative("upper-noise", upperNoise);
    }

    /**
     * The built-in instance: the mean problem of the core tests (p = 4, q = 6, S = 2, κ = 2, a = 0.5) with noise of
     * the size of the gradients themselves (σ_g = σ_f = 1), a Hessian that varies by ±50 % of μ and a coupling
     * that varies by 20 %.
     */
    public static StochasticQuadraticSpec defaults(long seed) {
        return new StochasticQuadraticSpec(seed, 4, 6, 2, 2, 0.5, 1.0, 0.5, 0.2, 1.0);
    }

    /** The keys of {@link #format()}, in order. */
    private static final List<String> KEYS = List.of("seed", "p", "q", "S", "kappa", "a", "lower-noise",
            "hessian-noise", "coupling-noise", "upper-noise");

    /**
     * The spec as one line of {@code key=value} pairs ({@code seed=21,p=4,q=6,S=2,kappa=2.0,a=0.5,lower-noise=1.0,…}),
     * e.g. for a Kafka header or a topic's description, so that a consumer rebuilds the same problem with
     * {@link #parse}. Doubles are written exactly (Java's shortest round-trip form).
     */
    public String format() {
        Object[] values = {seed, upperDimension, lowerDimension, objectives, conditionNumber, upperWeight, lowerNoise,
                hessianNoise, couplingNoise, upperNoise};
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < KEYS.size(); i++) {
            if (i > 0) text.append(',');
            text.append(KEYS.get(i)).append('=').append(values[i]);
        }
        return text.toString();
    }

    /**
     * Reads {@link #format()}'s line: every key once, in any order; a missing, unknown, repeated or malformed entry
     * fails naming it.
     */
    public static StochasticQuadraticSpec parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException("stochastic-quadratic spec", text, "key=value pairs " + KEYS);
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String pair : text.split(",")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair.trim() : pair.substring(0, eq).trim();
            if (eq < 0 || !KEYS.contains(key)) {
                throw new InvalidInputException("stochastic-quadratic spec", pair.trim(), "key=value with a key of " + KEYS);
            }
            if (values.put(key, pair.substring(eq + 1).trim()) != null) {
                throw new InvalidInputException("stochastic-quadratic spec." + key, pair.trim(), "each key once");
            }
        }
        for (String key : KEYS) {
            if (!values.containsKey(key)) {
                throw new InvalidInputException("stochastic-quadratic spec." + key, "missing", "a value for every key of " + KEYS);
            }
        }
        return new StochasticQuadraticSpec(longValue(values, "seed"), intValue(values, "p"), intValue(values, "q"),
                intValue(values, "S"), doubleValue(values, "kappa"), doubleValue(values, "a"),
                doubleValue(values, "lower-noise"), doubleValue(values, "hessian-noise"),
                doubleValue(values, "coupling-noise"), doubleValue(values, "upper-noise"));
    }

    private static long longValue(Map<String, String> values, String key) {
        try {
            return Long.parseLong(values.get(key));
        } catch (NumberFormatException e) {
            throw new InvalidInputException("stochastic-quadratic spec." + key, values.get(key), "an integer");
        }
    }

    private static int intValue(Map<String, String> values, String key) {
        long value = longValue(values, key);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new InvalidInputException("stochastic-quadratic spec." + key, value, "a 32-bit integer");
        }
        return (int) value;
    }

    private static double doubleValue(Map<String, String> values, String key) {
        try {
            return Double.parseDouble(values.get(key));
        } catch (NumberFormatException e) {
            throw new InvalidInputException("stochastic-quadratic spec." + key, values.get(key), "a number");
        }
    }

    public StochasticQuadraticSpec withNoise(double lower, double hessian, double coupling, double upper) {
        return new StochasticQuadraticSpec(seed, upperDimension, lowerDimension, objectives, conditionNumber,
                upperWeight, lower, hessian, coupling, upper);
    }

    /** The mean problem, exactly as every consumer of this spec rebuilds it. */
    public QuadraticProblem meanProblem() {
        return QuadraticProblems.dense(seed, upperDimension, lowerDimension, objectives, conditionNumber, upperWeight);
    }

    /** The stochastic problem whose samples {@link #generator()} draws. */
    public StochasticQuadraticProblem problem() {
        return new StochasticQuadraticProblem(this, meanProblem());
    }

    /** The seeded source of this problem's minibatches. */
    public StochasticQuadraticGenerator generator() {
        return new StochasticQuadraticGenerator(this, meanProblem().smoothness().orElseThrow().lowerStrongConvexity());
    }

    /** Features per lower-level sample: [e (q) | δ (q) | w (p)], 2q + p. */
    public int lowerFeatureDimension() {
        return 2 * lowerDimension + upperDimension;
    }

    /** Features per sample of an upper objective: [e (q) | e' (p)], q + p. */
    public int upperFeatureDimension() {
        return lowerDimension + upperDimension;
    }
}
