package io.mobl.core.algorithm;

import io.mobl.core.hypergradient.HypergradientEstimate;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.lower.LowerLevelDescent;
import io.mobl.core.lower.LowerSolution;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.Oracle;
import io.mobl.core.weights.ChebyshevWeights;
import io.mobl.core.weights.MinNormWeights;
import io.mobl.core.weights.SimplexQpSolution;
import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.OracleCalls;
import io.mobl.protocol.ParetoPoint;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Deterministic WC-MHGD (Alg. 1 of the WC-MHGD paper) as three pure phases, so that the synchronous loop and
 * the actors run the very same code:
 * <ol>
 *   <li>{@link #lowerPhase}: D warm-started gradient steps on g (lines 3–6);</li>
 *   <li>{@link #hypergradientPhase}: one objective's hypergradient by CG or NS (lines 7–14), independent across
 *       objectives;</li>
 *   <li>{@link #weightPhase}: QP (5) from the S×S Gram matrix and the step x_{k+1} = x_k − β Ĝ(r∘λ_k)
 *       (lines 15–16).</li>
 * </ol>
 * None of them keeps state; {@link WcMhgdState} carries it.
 */
public final class WcMhgd {
    private final BilevelProblem problem;
    private final WcMhgdConfig config;

    public WcMhgd(BilevelProblem problem, WcMhgdConfig config) {
        EnumSet<Oracle> needed = EnumSet.allOf(Oracle.class);
        needed.removeAll(problem.oracles());
        if (!needed.isEmpty()) {
            throw new InvalidInputException("algorithm", "wc-mhgd",
                    "a problem with the oracles " + needed.stream().map(Oracle::paperName).toList()
                            + " (this problem lacks them)");
        }
        this.problem = problem;
        this.config = config;
    }

    public BilevelProblem problem() { return problem; }
    public WcMhgdConfig config() { return config; }

    /** x_0, y_0 from the problem, no warm starts (v_0 = 0). */
    public WcMhgdState initialState(double[] preference) {
        Checks.preference("preference", preference, problem.objectiveCount());
        return new WcMhgdState(0, problem.initialUpper(), problem.initialLower(),
                new INDArray[problem.objectiveCount()], preference);
    }

    public LowerSolution lowerPhase(int iteration, INDArray x, INDArray warmStart) {
        LowerSolution lower = LowerLevelDescent.descend(problem, x, warmStart, config.lowerIterations(),
                config.lowerStepSize(), config.hypergradient().needsTrajectory());
        if (!Vectors.allFinite(lower.solution())) {
            throw new NonFiniteValueException("lower-level iterate", -1, iteration);
        }
        return lower;
    }

    public HypergradientEstimate hypergradientPhase(int iteration, int objective, INDArray x, LowerSolution lower,
                                                    INDArray warmStart) {
        HypergradientEstimate estimate = config.hypergradient()
                .estimate(problem, objective, x, lower, warmStart, config.lowerStepSize());
        if (!Double.isFinite(estimate.value())) {
            throw new NonFiniteValueException("objective value", objective, iteration);
        }
        if (!Vectors.allFinite(estimate.hypergradient())) {
            throw new NonFiniteValueException("hypergradient", objective, iteration);
        }
        return estimate;
    }

    /**
     * QP (5) on the Gram matrix, the stationarity gap, and the step.
     *
     * @param estimates one per objective, ordered by objective
     */
    public WeightUpdate weightPhase(int iteration, INDArray x, double[] preference, List<HypergradientEstimate> estimates) {
        return weightPhase(iteration, x, preference, estimates, config.chebyshevWeight(), config.upperStepSize());
    }

    /**
     * QP (5), the stationarity gap and the step with u and β given: the very same lines 15–16 for every algorithm
     * that ends its iteration with them (stochastic WC-MHGD, Alg. 2 lines 13–14, calls this).
     *
     * @param chebyshevWeight u in Eq. (5)
     * @param upperStepSize   β
     */
    public static WeightUpdate weightPhase(int iteration, INDArray x, double[] preference,
                                           List<HypergradientEstimate> estimates, double chebyshevWeight,
                                           double upperStepSize) {
        double[][] gram = gram(iteration, estimates);
        double[] values = values(estimates);
        SimplexQpSolution weights = ChebyshevWeights.solve(gram, preference, values, chebyshevWeight);
        double stationarity = MinNormWeights.solve(gram).objective();
        return update(iteration, x, preference, estimates, weights, stationarity, upperStepSize);
    }

    /** GᵀG, S×S, from the hypergradients (S(S+1)/2 dot products of length p); rejects non-finite ones. */
    public static double[][] gram(int iteration, List<HypergradientEstimate> estimates) {
        int objectives = estimates.size();
        double[][] gram = new double[objectives][objectives];
        for (int i = 0; i < objectives; i++) {
            HypergradientEstimate ei = estimates.get(i);
            if (ei.objective() != i) throw new IllegalArgumentException("estimates out of order at " + i);
            for (int j = 0; j <= i; j++) {
                double g = Vectors.dot(ei.hypergradient(), estimates.get(j).hypergradient());
                gram[i][j] = g;
                gram[j][i] = g;
            }
            if (!Double.isFinite(gram[i][i])) throw new NonFiniteValueException("hypergradient", i, iteration);
        }
        return gram;
    }

    /** φ̂_s(x_k), s = 1..S. */
    public static double[] values(List<HypergradientEstimate> estimates) {
        double[] values = new double[estimates.size()];
        for (int i = 0; i < values.length; i++) values[i] = estimates.get(i).value();
        return values;
    }

    /** Line 16 of Alg. 1: d_k = Ĝ(r∘λ_k) and x_{k+1} = x_k − β·d_k. */
    public WeightUpdate update(int iteration, INDArray x, double[] preference, List<HypergradientEstimate> estimates,
                               SimplexQpSolution weights, double stationarity) {
        return update(iteration, x, preference, estimates, weights, stationarity, config.upperStepSize());
    }

    /** Line 16 of Alg. 1 with the step β given. */
    public static WeightUpdate update(int iteration, INDArray x, double[] preference,
                                      List<HypergradientEstimate> estimates, SimplexQpSolution weights,
                                      double stationarity, double upperStepSize) {
        INDArray direction = Vectors.zeros(x.length());
        for (int s = 0; s < estimates.size(); s++) {
            double coefficient = preference[s] * weights.weights()[s];
            if (coefficient != 0) Vectors.axpyInPlace(coefficient, estimates.get(s).hypergradient(), direction);
        }
        INDArray next = Vectors.axpy(-upperStepSize, direction, x);
        if (!Vectors.allFinite(next)) throw new NonFiniteValueException("upper-level iterate", -1, iteration);
        double stepNorm = upperStepSize * Vectors.norm(direction);
        return new WeightUpdate(weights.weights(), values(estimates), stationarity, direction, next, stepNorm,
                weights.kktResidual());
    }

    /** One whole iteration, phases in sequence: what the synchronous solver does. */
    public Iteration iterate(WcMhgdState state) {
        long start = System.nanoTime();
        LowerSolution lower = lowerPhase(state.iteration(), state.x(), state.lower());
        long lowerDone = System.nanoTime();
        List<HypergradientEstimate> estimates = new ArrayList<>(problem.objectiveCount());
        for (int s = 0; s < problem.objectiveCount(); s++) {
            estimates.add(hypergradientPhase(state.iteration(), s, state.x(), lower, state.warmStart(s)));
        }
        long hypergradientsDone = System.nanoTime();
        WeightUpdate update = weightPhase(state.iteration(), state.x(), state.preference(), estimates);
        long weightsDone = System.nanoTime();
        return new Iteration(state, lower, estimates, update,
                new PhaseTimes(lowerDone - start, hypergradientsDone - lowerDone, weightsDone - hypergradientsDone));
    }

    /**
     * The outcome of one outer iteration at {@code state}.
     */
    public record Iteration(WcMhgdState state, LowerSolution lower, List<HypergradientEstimate> estimates,
                            WeightUpdate update, PhaseTimes times) {
        public WcMhgdState next() {
            return state.advance(lower, estimates, update);
        }

        /** What this iteration reports; every runtime builds it here so that they all report the same. */
        public IterateTelemetry telemetry(String run, OracleCalls calls) {
            return new IterateTelemetry(run, state.preference(), state.iteration(), update.objectives(),
                    update.weights(), update.stationarity(), update.stepNorm(), calls, times.asMap(),
                    Math.max(0, update.qpResidual()));
        }

        /** The point a run ending at this iteration reports: x_k with the objectives and gap measured at it. */
        public ParetoPoint paretoPoint(String run, OracleCalls calls) {
            return new ParetoPoint(run, state.preference(), state.x().toDoubleVector(), update.objectives(),
                    update.stationarity(), state.iteration(), calls);
        }
    }
}
