package io.mobl.core.algorithm;

import io.mobl.core.checkpoint.StateCodec;
import io.mobl.core.checkpoint.StateImage;
import io.mobl.core.hypergradient.HypergradientEstimate;
import io.mobl.core.lower.LowerSolution;
import io.mobl.protocol.Checks;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Everything Alg. 1 carries from one outer iteration to the next.
 *
 * @param iteration  k
 * @param x          x_k
 * @param lower      y_{k−1}^D, the warm start of this iteration's lower level (y_0 at k = 0)
 * @param warmStarts per objective, the warm start of its linear solve (null entries where none)
 * @param preference r, in the open simplex; may change between iterations (interactive preferences)
 */
public record WcMhgdState(int iteration, INDArray x, INDArray lower, INDArray[] warmStarts, double[] preference) {

    public WcMhgdState {
        warmStarts = warmStarts.clone();
        preference = Checks.preference("preference", preference, warmStarts.length).clone();
    }

    /** The state after an iteration that took the step in {@code update}. */
    public WcMhgdState advance(LowerSolution lowerSolution, List<HypergradientEstimate> estimates, WeightUpdate update) {
        INDArray[] warm = new INDArray[estimates.size()];
        for (HypergradientEstimate e : estimates) warm[e.objective()] = e.warmStart();
        return new WcMhgdState(iteration + 1, update.nextX(), lowerSolution.solution(), warm, preference);
    }

    public WcMhgdState withPreference(double[] newPreference) {
        return new WcMhgdState(iteration, x, lower, warmStarts, newPreference);
    }

    public INDArray warmStart(int objective) {
        return warmStarts[objective];
    }

    /**
     * The checkpoint codec of this state for a problem of dimensions p, q and S objectives: entries {@code x} (p),
     * {@code y} (q, the lower-level warm start) and {@code v.<s>} (q, objective s's linear-solve warm start, where
     * there is one). Shared by every algorithm whose state is a {@code WcMhgdState}.
     */
    public static StateCodec<WcMhgdState> codec(int p, int q, int objectives) {
        return new StateCodec<>() {
            @Override
            public StateImage encode(WcMhgdState state) {
                StateImage.Builder image = StateImage.builder(state.iteration(), state.preference())
                        .vector("x", state.x()).vector("y", state.lower());
                for (int s = 0; s < state.warmStarts.length; s++) image.vector("v." + s, state.warmStarts[s]);
                return image.build();
            }

            @Override
            public WcMhgdState decode(StateImage image) {
                INDArray[] warm = new INDArray[objectives];
                for (int s = 0; s < objectives; s++) warm[s] = image.vectorOrNull("v." + s, q);
                return new WcMhgdState(Math.toIntExact(image.iteration()), image.vector("x", p), image.vector("y", q),
                        warm, image.preference());
            }
        };
    }

    @Override
    public String toString() {
        return "WcMhgdState[k=" + iteration + ", preference=" + Arrays.toString(preference) + "]";
    }
}
