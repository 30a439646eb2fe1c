package io.mobl.actors;

import io.mobl.core.algorithm.Solution;
import io.mobl.core.algorithm.SynchronousSolver;
import io.mobl.core.algorithm.WcMhgd;
import io.mobl.core.algorithm.WcMhgdConfig;
import io.mobl.core.algorithm.WcMhgdState;
import io.mobl.core.algorithm.WeightUpdate;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.CountingProblem;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.OracleCalls;
import io.mobl.protocol.ParetoPoint;
import java.util.List;
import java.util.Map;

/** What the synchronous solver reports, and the telemetry fields that must match it bit for bit. */
final class Reference {
    private Reference() {}

    /** The synchronous solver's telemetry and solution. */
    record Run(List<IterateTelemetry> telemetry, Solution solution) {
        ParetoPoint point() {
            return solution.point();
        }
    }

    static Run synchronous(BilevelProblem problem, WcMhgdConfig config, double[] preference, String run) {
        RecordingListener listener = new RecordingListener();
        Solution solution = SynchronousSolver.solve(problem, config, preference, run, listener);
        return new Run(listener.telemetry(), solution);
    }

    /**
     * The synchronous loop with the preference switched to {@code after} from iteration {@code switchAfter + 1}
     * on, the way {@link WcMhgdState#withPreference} allows: what an interactive change must produce.
     */
    static Run switching(BilevelProblem problem, WcMhgdConfig config, double[] before, int switchAfter,
                         double[] after, String run) {
        CountingProblem counted = new CountingProblem(problem);
        WcMhgd algorithm = new WcMhgd(counted, config);
        RecordingListener listener = new RecordingListener();
        WcMhgdState state = algorithm.initialState(before);
        while (true) {
            WcMhgd.Iteration iteration = algorithm.iterate(state);
            WeightUpdate u = iteration.update();
            listener.onIteration(new IterateTelemetry(run, state.preference(), state.iteration(), u.objectives(),
                    u.weights(), u.stationarity(), u.stepNorm(), counted.calls(), Map.of()));
            if (config.finished(state.iteration(), u.stationarity())) {
                ParetoPoint point = new ParetoPoint(run, state.preference(), state.x().toDoubleVector(),
                        u.objectives(), u.stationarity(), state.iteration(), counted.calls());
                return new Run(listener.telemetry(), new Solution(point, state.x(), state));
            }
            state = iteration.next();
            if (state.iteration() == switchAfter + 1) state = state.withPreference(after);
        }
    }

    static List<IterateTelemetry> withoutTimings(List<IterateTelemetry> telemetry) {
        return telemetry.stream().map(Reference::withoutTimings).toList();
    }

    static IterateTelemetry withoutTimings(IterateTelemetry t) {
        return withCalls(t, t.oracleCalls());
    }

    static IterateTelemetry withCalls(IterateTelemetry t, OracleCalls calls) {
        return new IterateTelemetry(t.run(), t.preference(), t.iteration(), t.objectives(), t.weights(),
                t.stationarity(), t.stepNorm(), calls, Map.of());
    }

    static ParetoPoint withCalls(ParetoPoint p, OracleCalls calls) {
        return new ParetoPoint(p.run(), p.preference(), p.x(), p.objectives(), p.stationarity(), p.iterations(), calls);
    }
}
