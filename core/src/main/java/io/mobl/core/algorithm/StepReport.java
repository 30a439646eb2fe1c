package io.mobl.core.algorithm;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What any algorithm reports about the iterate it evaluated in one outer iteration, in the same terms for all
 * of them so that they can be compared side by side.
 *
 * @param iteration    k
 * @param x            x_k, length p
 * @param y            the lower-level variable the algorithm evaluated the objectives at (y_k^D, or y_k of z_k)
 * @param objectives   f_s(x_k, y) as the algorithm sees them, length S
 * @param weights      the weights it combined the objectives' gradients with, length S
 * @param measure      the algorithm's own convergence measure at x_k (see {@code measureName})
 * @param measureName  what {@code measure} is: "stationarity" (min_λ‖Ĝλ‖², Definition 3.3 of the WC-MHGD
 *                     paper, on the estimated hypergradients), "kkt" (FORUM's 𝒦(z_k), WC-Penalty's ‖𝒦‖²)
 * @param feasibility  how far the lower level is from optimal, where the algorithm measures it: FORUM's
 *                     q̃(z_k) = g(z_k) − g(x_k, ỹ^T), WC-Penalty's ‖h(z_k)‖ = ‖∇_y g‖; NaN where not measured
 * @param stepNorm     ‖x_{k+1} − x_k‖ (for FORUM and WC-Penalty, of the whole variable z or θ)
 * @param workingBytes bytes of the vectors the step held at once at its peak, counted from the structures it
 *                     actually kept (the lower-level trajectory, the per-objective gradients, …): the quantity
 *                     of the FORUM paper's Table 1 "space cost"
 * @param kktResidual  the KKT residual of the constrained subproblem the step solved (WC-MHGD's QP (5) on the
 *                     simplex; FORUM's and WC-Penalty's measure), ≥ 0; NaN where the step solves none
 */
public record StepReport(int iteration, INDArray x, INDArray y, double[] objectives, double[] weights, double measure,
                         String measureName, double feasibility, double stepNorm, long workingBytes, double kktResidual) {

    public StepReport {
        objectives = objectives.clone();
        weights = weights.clone();
    }

    /** A step whose KKT residual is its measure when that is one ({@code measureName} "kkt"), else none. */
    public StepReport(int iteration, INDArray x, INDArray y, double[] objectives, double[] weights, double measure,
                      String measureName, double feasibility, double stepNorm, long workingBytes) {
        this(iteration, x, y, objectives, weights, measure, measureName, feasibility, stepNorm, workingBytes,
                "kkt".equals(measureName) ? Math.max(measure, 0) : Double.NaN);
    }

    @Override public double[] objectives() { return objectives.clone(); }
    @Override public double[] weights() { return weights.clone(); }

    /**
     * This step's telemetry, as every runtime of an {@link IterativeAlgorithm} reports it: the objectives and weights
     * it measured, its measure as the stationarity (a negative one, rounding below 0, as 0), its step norm and its
     * {@link #kktResidual()}.
     *
     * @param preference r in force at this iteration
     * @param calls      the run's oracle calls so far
     * @param stepNanos  the step's wall time, reported as the phase {@code step}
     */
    public io.mobl.protocol.IterateTelemetry telemetry(String run, double[] preference, io.mobl.protocol.OracleCalls calls,
                                                       long stepNanos) {
        return new io.mobl.protocol.IterateTelemetry(run, preference, iteration, objectives, weights, Math.max(measure, 0),
                stepNorm, calls, java.util.Map.of("step", stepNanos), Double.isNaN(kktResidual) ? Double.NaN : Math.max(kktResidual, 0));
    }

    /** The point a run ending at this step reports: x_k with the objectives and measure (≥ 0) taken at it. */
    public io.mobl.protocol.ParetoPoint point(String run, double[] preference, io.mobl.protocol.OracleCalls calls) {
        return new io.mobl.protocol.ParetoPoint(run, preference, x.toDoubleVector(), objectives, Math.max(measure, 0),
                iteration, calls);
    }

    /** Bytes of n float64 vectors of the given length. */
    public static long bytes(long vectors, long length) {
        return vectors * length * Double.BYTES;
    }
}
