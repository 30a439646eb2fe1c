package io.mobl.core.algorithm;

import io.mobl.core.checkpoint.StateCodec;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.protocol.Minibatch;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An outer-iteration algorithm as a pure step, JAXopt's {@code init_state} + {@code update}: the state holds
 * everything carried between iterations and {@link #step} returns a new one, so the synchronous loop
 * ({@link IterativeRun}), the comparison harness and the benchmarks drive the very same code. Step k evaluates
 * the iterate of its state (objectives, convergence measure) and computes the next iterate.
 *
 * <p>A stochastic algorithm takes its {@link io.mobl.core.stochastic.BatchSource} in its constructor, draws every
 * batch of a step from it inside {@link #step}, in an order fixed by the state alone (so the same batch sequence
 * gives the same iterates on every runtime), and lists the minibatches it consumed in {@link Step#used()}; the
 * runtime acknowledges them ({@code BatchSource.iterationDone}) once the step is reported.
 *
 * @param <S> the algorithm's state, an immutable record
 */
public interface IterativeAlgorithm<S> {

    /** The name {@code --algorithm} selects it by ("forum", "wc-penalty", …). */
    String name();

    /** The problem it runs on (usually a {@link io.mobl.core.problem.CountingProblem}). */
    BilevelProblem problem();

    /**
     * The state at iteration 0.
     *
     * @param preference r in the open simplex (algorithms without a preference keep it only to report it)
     * @param upperStart x_0, length p
     */
    S initialState(double[] preference, INDArray upperStart);

    /** One outer iteration from {@code state}: its report (measured at the state's iterate) and the next state. */
    Step<S> step(S state);

    /**
     * How this algorithm's state is checkpointed: {@code stateCodec().decode(stateCodec().encode(s))} steps exactly
     * as {@code s} does. The runtimes write it every N iterations and resume from it.
     */
    StateCodec<S> stateCodec();

    /**
     * What a checkpoint of this algorithm is valid for, compared on resume ({@link
     * io.mobl.protocol.Checkpoint#requireCompatible}): the settings that shape the state or the iterates from it
     * (step sizes, inner iterations, method, …) as one line of text. A changed setting refuses the resume.
     */
    String configuration();

    /**
     * What a step returns.
     *
     * @param next   the state of the next iteration
     * @param report what the step measured at its state's iterate
     * @param used   the minibatches the step consumed, in the order it drew them (empty for deterministic steps)
     * @param phaseNanos wall time of the step's phases where the algorithm measures them ("lower",
     *                   "hypergradient", "weights"), for its telemetry; empty otherwise
     */
    record Step<S>(S next, StepReport report, List<Minibatch> used, Map<String, Long> phaseNanos) {
        public Step {
            used = List.copyOf(used);
            phaseNanos = Map.copyOf(phaseNanos);
        }

        /** A step without phase times. */
        public Step(S next, StepReport report, List<Minibatch> used) {
            this(next, report, used, Map.of());
        }

        /** A step that consumed no minibatches (every deterministic algorithm). */
        public Step(S next, StepReport report) {
            this(next, report, List.of());
        }
    }
}
