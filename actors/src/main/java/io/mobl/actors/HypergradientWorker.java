package io.mobl.actors;

import io.mobl.core.algorithm.WcMhgd;
import io.mobl.core.hypergradient.HypergradientEstimate;
import io.mobl.protocol.Minibatch;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Lines 7–14 of Alg. 1 for one objective s: its hypergradient ∇̂φ_s(x_k) and value by CG or the Neumann series,
 * by {@link WcMhgd#hypergradientPhase}; in the stochastic setting lines 8–11 of Alg. 2 (Alg. 3 for v^Q) on
 * objective s's batches from the run's {@link io.mobl.core.stochastic.BatchSource}, by
 * {@link io.mobl.core.algorithm.StochasticWcMhgd#hypergradientPhase}. The S workers of a preference run in
 * parallel.
 *
 * <p>The warm start v_s of the linear solve travels in the request and comes back in the estimate
 * ({@link HypergradientEstimate#warmStart()}); the coordinator keeps it between iterations. The worker holds no
 * state, so a restart after a failure cannot change an iterate, and a request asked again gives the same
 * answer bit for bit. A failure is answered with {@link HypergradientFailed} and then rethrown, so that the
 * supervisor restarts the worker.
 */
public final class HypergradientWorker extends AbstractBehavior<HypergradientWorker.Command> {

    public sealed interface Command extends LocalMessage {}

    /**
     * @param iteration k
     * @param attempt   the coordinator's attempt at this request, from 1; a failure echoes it
     * @param x         x_k, length p; not modified
     * @param lower     the lower-level solver's answer: y_k^D (and its trajectory, or in the stochastic setting the
     *                  batches 𝒟_G, 𝒟_H); not modified
     * @param warmStart v_{k−1}^{(s)} from this objective's previous estimate, or null (k = 0, or no warm start)
     */
    public record Hypergradient(int iteration, int attempt, INDArray x, LowerLevelSolver.LowerSolved lower, INDArray warmStart,
                                ActorRef<Reply> replyTo) implements Command {}

    public sealed interface Reply extends LocalMessage {}

    /** @param used the minibatches of objective s this phase consumed (stochastic setting; else empty) */
    public record HypergradientReady(int iteration, int objective, HypergradientEstimate estimate,
                                     List<Minibatch> used) implements Reply {}

    /** @param attempt the failed request's attempt */
    public record HypergradientFailed(int iteration, int objective, int attempt, RuntimeException cause) implements Reply {}

    private final Steps steps;
    private final int objective;

    /**
     * @param algorithm the coordinator's algorithm, over its counting problem
     * @param objective s, from 0
     */
    public static Behavior<Command> create(WcMhgd algorithm, int objective) {
        return create(new Steps.Deterministic(algorithm, null), objective);
    }

    /** @param steps the coordinator's phases; in the stochastic setting they read objective s's batches here */
    static Behavior<Command> create(Steps steps, int objective) {
        return Behaviors.supervise(Behaviors.<Command>setup(context ->
                        new HypergradientWorker(context, steps, objective)))
                .onFailure(SupervisorStrategy.restart());
    }

    private HypergradientWorker(ActorContext<Command> context, Steps steps, int objective) {
        super(context);
        this.steps = steps;
        this.objective = objective;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder().onMessage(Hypergradient.class, this::onHypergradient).build();
    }

    private Behavior<Command> onHypergradient(Hypergradient request) {
        HypergradientReady ready;
        try {
            ready = steps.hypergradient(request.iteration(), objective, request.x(), request.lower(),
                    request.warmStart());
        } catch (RuntimeException e) {
            request.replyTo().tell(new HypergradientFailed(request.iteration(), objective, request.attempt(), e));
            throw e;
        }
        request.replyTo().tell(ready);
        return this;
    }
}
