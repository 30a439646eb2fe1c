package io.mobl.core.lower;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The lower-level estimate after D gradient steps.
 *
 * @param solution   y^D, length q
 * @param trajectory y^0 … y^{D−1} when the hypergradient method needs them (Neumann series, Eq. (4)); else empty
 */
public record LowerSolution(INDArray solution, List<INDArray> trajectory) {
    public LowerSolution {
        trajectory = List.copyOf(trajectory);
    }
}
