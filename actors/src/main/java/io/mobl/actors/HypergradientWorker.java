package io.mobl.actors;

import io.mobl.core.algorithm.WcMhgd;
import io.mobl.core.hypergradient.HypergradientEstimate;
import io.mobl.core.lower.LowerSolution;
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
 * by {@link WcMhgd#hypergradientPhase}. The S workers of a preference run in parallel.
 *
 * <p>The warm start v_s of the linear solve travels in the request and comes back in the estimate
 * ({@link HypergradientEstimate#warmStart()}); the coordinator keeps it between iterations. The worker holds no
 * state, so a restart after a failure cannot change an iterate, and a request asked again gives the same
 * answer bit for bit. A failure is answered with {@link HypergradientFailed} and then rethrown, so that the
 * supervisor restarts the worker.
 */
public final class HypergradientWorker extends AbstractBehavior<HypergradientWorker.Command> {

    public sealed interface Command {}

    /**
     * @param iteration k
     * @param x         x_k, length p; not modified
     * @param lower     y_k^D (and its trajectory) from the lower-level solver; not modified
     * @param warmStart v_{k−1}^{(s)} from this objective's previous estimate, or null (k = 0, or no warm start)
     */
    public record Hypergradient(int iteration, INDArray x, LowerSolution lower, INDArray warmStart,
                                ActorRef<Reply> replyTo) implements Command {}

    public sealed interface Reply {}

    public record HypergradientReady(int iteration, int objective, HypergradientEstimate estimate) implements Reply {}

    public record HypergradientFailed(int iteration, int objective, RuntimeException cause) implements Reply {}

    private final WcMhgd algorithm;
    private final int objective;

    /**
     * @param algorithm the coordinator's algorithm, over its counting problem
     * @param objective s, from 0
     */
    public static Behavior<Command> create(WcMhgd algorithm, int objective) {
        return Behaviors.supervise(Behaviors.<Command>setup(context ->
                        new HypergradientWorker(context, algorithm, objective)))
                .onFailure(SupervisorStrategy.restart());
    }

    private HypergradientWorker(ActorContext<Command> context, WcMhgd algorithm, int objective) {
        super(context);
        this.algorithm = algorithm;
        this.objective = objective;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder().onMessage(Hypergradient.class, this::onHypergradient).build();
    }

    private Behavior<Command> onHypergradient(Hypergradient request) {
        HypergradientEstimate estimate;
        try {
            estimate = algorithm.hypergradientPhase(request.iteration(), objective, request.x(), request.lower(),
                    request.warmStart());
        } catch (RuntimeException e) {
            request.replyTo().tell(new HypergradientFailed(request.iteration(), objective, e));
            throw e;
        }
        request.replyTo().tell(new HypergradientReady(request.iteration(), objective, estimate));
        return this;
    }
}
