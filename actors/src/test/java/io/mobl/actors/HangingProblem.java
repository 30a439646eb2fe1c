package io.mobl.actors;

import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.UpperEvaluation;
import java.util.concurrent.CountDownLatch;
import org.nd4j.linalg.api.ndarray.INDArray;

/** f_s for one objective never returns from the given iteration on, until the test releases it. */
final class HangingProblem extends DelegatingProblem {
    private final int objective;
    private final int iteration;
    private final CountDownLatch release = new CountDownLatch(1);
    private int calls;

    HangingProblem(BilevelProblem delegate, int objective, int iteration) {
        super(delegate);
        this.objective = objective;
        this.iteration = iteration;
    }

    @Override
    public UpperEvaluation upper(int s, INDArray x, INDArray y) {
        boolean hang;
        synchronized (this) {
            hang = s == objective && calls++ >= iteration;
        }
        if (hang) {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return delegate.upper(s, x, y);
    }

    void release() {
        release.countDown();
    }
}
