package io.mobl.actors;

import io.mobl.core.algorithm.WcMhgd;
import io.mobl.core.lower.LowerSolution;
import io.mobl.core.stochastic.SampledLower;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Lines 3–6 of Alg. 1 for one preference: D warm-started gradient steps on g(x_k, ·), by
 * {@link WcMhgd#lowerPhase}; in the stochastic setting lines 3–7 of Alg. 2, D SGD steps on lower-level batches
 * taken from the run's {@link io.mobl.core.stochastic.BatchSource} and then 𝒟_G, 𝒟_H, by
 * {@link io.mobl.core.algorithm.StochasticWcMhgd#lowerPhase}.
 *
 * <p>The warm start y_{k−1}^D travels in the request: the coordinator keeps it in its {@code WcMhgdState}, the
 * very record the synchronous solver carries. So this actor holds no state, a restart loses nothing, and a
 * request asked again after a failure or a timeout computes exactly what the first attempt would have.
 * A failure is answered with {@link LowerFailed} (so the coordinator need not wait for its timeout) and then
 * rethrown, so that the supervisor restarts the actor.
 */
public final class LowerLevelSolver extends AbstractBehavior<LowerLevelSolver.Command> {

    public sealed interface Command extends LocalMessage {}

    /**
     * @param iteration k
     * @param attempt   the coordinator's attempt at this request, from 1; a failure echoes it, so that the
     *                  coordinator can tell a late failure of an earlier attempt from one of the attempt in force
     * @param x         x_k, length p; not modified
     * @param warmStart y_{k−1}^D (y_0 at k = 0), length q; not modified
     */
    public record SolveLower(int iteration, int attempt, INDArray x, INDArray warmStart, ActorRef<Reply> replyTo)
            implements Command {}

    public sealed interface Reply extends LocalMessage {}

    /**
     * @param lower   y_k^D and, for the Neumann series, its trajectory
     * @param sampled in the stochastic setting, y_k^D with the lower-level batches 𝒟_G, 𝒟_H drawn for all
     *                objectives and every minibatch the phase consumed; null in the deterministic setting
     */
    public record LowerSolved(int iteration, LowerSolution lower, SampledLower sampled) implements Reply {}

    /** @param attempt the failed request's attempt */
    public record LowerFailed(int iteration, int attempt, RuntimeException cause) implements Reply {}

    private final Steps steps;

    /** @param algorithm the coordinator's algorithm, over its counting problem */
    public static Behavior<Command> create(WcMhgd algorithm) {
        return create(new Steps.Deterministic(algorithm, null));
    }

    /**
     * @param steps the coordinator's phases; in the stochastic setting they read the lower-level batches of the
     *              run's source here, on the math dispatcher, where waiting for data blocks no coordinator
     */
    static Behavior<Command> create(Steps steps) {
        return Behaviors.supervise(Behaviors.<Command>setup(context -> new LowerLevelSolver(context, steps)))
                .onFailure(SupervisorStrategy.restart());
    }

    private LowerLevelSolver(ActorContext<Command> context, Steps steps) {
        super(context);
        this.steps = steps;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder().onMessage(SolveLower.class, this::onSolveLower).build();
    }

    private Behavior<Command> onSolveLower(SolveLower request) {
        LowerSolved lower;
        try {
            lower = steps.lower(request.iteration(), request.x(), request.warmStart());
        } catch (RuntimeException e) {
            request.replyTo().tell(new LowerFailed(request.iteration(), request.attempt(), e));
            throw e;
        }
        request.replyTo().tell(lower);
        return this;
    }
}
