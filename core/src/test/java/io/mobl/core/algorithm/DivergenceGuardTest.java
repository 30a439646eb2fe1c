package io.mobl.core.algorithm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.mobl.core.algorithm.penalty.WcPenalty;
import io.mobl.core.algorithm.penalty.WcPenaltyConfig;
import io.mobl.core.hypergradient.ConjugateGradient;
import io.mobl.core.problem.quadratic.QuadraticProblem;
import io.mobl.core.problem.quadratic.QuadraticProblems;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** Too large a step is caught within a few iterations, and the advice it gives is a step that works. */
class DivergenceGuardTest {
    private static final QuadraticProblem PROBLEM = QuadraticProblems.dense(1, 8, 12, 2, 10, 0.5);
    private static final double[] PREFERENCE = {0.5, 0.5};

    @Test
    void aPenaltyStepTooLargeIsCaughtEarlyAndFollowingTheAdviceConverges() {
        double stepScale = 1.0; // η₀ = 1: ten times the old default, far beyond 1/L_P
        int horizon = 200;
        int rounds = 0;
        while (true) {
            StepSizes.Derived<WcPenaltyConfig> d = StepSizes.of(PROBLEM).wcPenalty(horizon, OptionalDouble.of(stepScale), 1.0,
                    PROBLEM.initialUpper());
            WcPenalty penalty = new WcPenalty(PROBLEM, d.config());
            try {
                IterativeRun.Outcome outcome = IterativeRun.run(penalty, penalty.initialState(PREFERENCE, PROBLEM.initialUpper()),
                        horizon, r -> {}, DivergenceGuard.of("wc-penalty", d.steps()));
                assertThat(outcome.last().measure()).isFinite().isLessThan(1.0);
                break;
            } catch (DivergenceException e) {
                assertThat(e.iteration()).as("caught early").isLessThanOrEqualTo(20);
                assertThat(e.option()).isEqualTo("penalty-step");
                assertThat(e.getMessage()).startsWith("wc-penalty diverges at iteration " + e.iteration())
                        .contains("--penalty-step").contains("try --penalty-step");
                assertThat(e.suggested()).isLessThan(stepScale / 2);
                stepScale = e.suggested();
            }
            assertThat(++rounds).as("rounds of advice").isLessThanOrEqualTo(3);
        }
        assertThat(rounds).isPositive();
    }

    @Test
    void anUpperStepTooLargeNamesTheUpperStep() {
        WcMhgdConfig config = new WcMhgdConfig(50, 0.1, 5.0, 1.0, new ConjugateGradient(10), 300, 0);
        List<StepSize> steps = List.of(StepSize.given("lower-step-size", "α", 0.1, true),
                StepSize.given("upper-step-size", "β", 5.0, false));
        DivergenceException e = catchThrowableOfType(() -> SynchronousSolver.solve(PROBLEM, config, PREFERENCE, "t",
                RunListener.NONE, DivergenceGuard.of("wc-mhgd", steps)), DivergenceException.class);
        assertThat(e.option()).isEqualTo("upper-step-size");
        assertThat(e.iteration()).isLessThanOrEqualTo(20);
        assertThat(e.getMessage()).contains("β (--upper-step-size, now 5").contains("try --upper-step-size");
        assertThat(e.suggested()).isLessThanOrEqualTo(2.5);
    }

    @Test
    void aLowerStepTooLargeNamesTheLowerStep() {
        // α = 0.5 > 2/L = 0.2: the lower-level iterate overflows within the first iteration's 200 steps
        WcMhgdConfig config = new WcMhgdConfig(200, 0.5, 0.1, 1.0, new ConjugateGradient(10), 10, 0);
        List<StepSize> steps = List.of(StepSize.given("lower-step-size", "α", 0.5, true),
                StepSize.given("upper-step-size", "β", 0.1, false));
        DivergenceException e = catchThrowableOfType(() -> SynchronousSolver.solve(PROBLEM, config, PREFERENCE, "t",
                RunListener.NONE, DivergenceGuard.of("wc-mhgd", steps)), DivergenceException.class);
        assertThat(e.option()).isEqualTo("lower-step-size");
        assertThat(e.getMessage()).contains("non-finite lower-level iterate").contains("try --lower-step-size 0.05");
        assertThat(e.getCause()).isInstanceOf(NonFiniteValueException.class);
    }

    @Test
    void aConvergingRunWhoseStepsShrinkIsLeftAlone() {
        DivergenceGuard guard = DivergenceGuard.of("wc-mhgd", List.of(StepSize.given("upper-step-size", "β", 0.1, false)));
        for (int k = 0; k < 100; k++) guard.observe(k, new double[] {1 + 1.0 / (k + 1)}, Math.pow(0.9, k));
        // a short rise of the step (×2, say after a preference change) is not divergence either
        double small = Math.pow(0.9, 100);
        for (int k = 100; k < 103; k++) guard.observe(k, new double[] {1}, small * Math.pow(2, k - 99));
        // steady growth ×3 is caught once it has lasted 5 iterations and passed every step before it (1 at k = 0)
        double start = small * 8;
        DivergenceException e = catchThrowableOfType(() -> {
            for (int k = 103; k < 200; k++) guard.observe(k, new double[] {1}, start * Math.pow(3, k - 102));
        }, DivergenceException.class);
        assertThat(e.getMessage()).contains("grew 3.00× per iteration");
        assertThat(start * Math.pow(3, e.iteration() - 102)).isGreaterThan(1).isLessThan(3);
    }
}
