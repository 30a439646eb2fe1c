package io.mobl.actors;

import io.mobl.core.algorithm.WcMhgd;
import io.mobl.core.algorithm.WeightUpdate;
import io.mobl.core.hypergradient.HypergradientEstimate;
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
 * Lines 15–16 of Alg. 1 for one preference: the S×S Gram matrix of the hypergradients, QP (5) for the weights
 * λ_k, the stationarity gap and the step x_{k+1} = x_k − β·Ĝ(r∘λ_k), by {@link WcMhgd#weightPhase}.
 *
 * <p>It is the coordinator's arithmetic, done in a child on the math dispatcher so that the coordinator itself
 * never computes: it stays free for its timeouts and the user's controls even when every math thread is busy.
 * Stateless, restarted on failure like the other math actors.
 */
public final class WeightSolver extends AbstractBehavior<WeightSolver.Command> {

    public sealed interface Command extends LocalMessage {}

    /**
     * @param iteration  k
     * @param attempt    the coordinator's attempt at this request, from 1; a failure echoes it
     * @param x          x_k, length p; not modified
     * @param preference r in force at iteration k
     * @param estimates  one per objective, ordered by objective; not modified
     */
    public record SolveWeights(int iteration, int attempt, INDArray x, double[] preference,
                               List<HypergradientEstimate> estimates, ActorRef<Reply> replyTo) implements Command {}

    public sealed interface Reply extends LocalMessage {}

    public record WeightsSolved(int iteration, WeightUpdate update) implements Reply {}

    /** @param attempt the failed request's attempt */
    public record WeightsFailed(int iteration, int attempt, RuntimeException cause) implements Reply {}

    private final Steps steps;

    public static Behavior<Command> create(WcMhgd algorithm) {
        return create(new Steps.Deterministic(algorithm, null));
    }

    static Behavior<Command> create(Steps steps) {
        return Behaviors.supervise(Behaviors.<Command>setup(context -> new WeightSolver(context, steps)))
                .onFailure(SupervisorStrategy.restart());
    }

    private WeightSolver(ActorContext<Command> context, Steps steps) {
        super(context);
        this.steps = steps;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder().onMessage(SolveWeights.class, this::onSolveWeights).build();
    }

    private Behavior<Command> onSolveWeights(SolveWeights request) {
        WeightUpdate update;
        try {
            update = steps.weights(request.iteration(), request.x(), request.preference(), request.estimates());
        } catch (RuntimeException e) {
            request.replyTo().tell(new WeightsFailed(request.iteration(), request.attempt(), e));
            throw e;
        }
        request.replyTo().tell(new WeightsSolved(request.iteration(), update));
        return this;
    }
}
