package io.mobl.actors;

import io.mobl.core.algorithm.IterativeAlgorithm;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * One outer iteration of any {@link IterativeAlgorithm} for its {@link StepCoordinator}, on the math dispatcher:
 * {@code algorithm.step(state)}. The state travels in the request and the step is pure, so this actor holds
 * nothing, and a request asked again after a failure computes what the failed attempt would have. A failure is
 * answered with {@link StepFailed} and rethrown, so that the supervisor restarts the actor.
 */
final class StepRunner extends AbstractBehavior<StepRunner.Command> {

    sealed interface Command extends LocalMessage {}

    /** @param state the state of iteration {@code iteration}; not modified */
    record RunStep(int iteration, int attempt, Object state, ActorRef<Reply> replyTo) implements Command {}

    sealed interface Reply extends LocalMessage {}

    /** @param nanos the step's wall time */
    record StepDone(int iteration, IterativeAlgorithm.Step<?> step, long nanos) implements Reply {}

    record StepFailed(int iteration, int attempt, RuntimeException cause) implements Reply {}

    private final IterativeAlgorithm<Object> algorithm;

    @SuppressWarnings("unchecked")
    static Behavior<Command> create(IterativeAlgorithm<?> algorithm) {
        IterativeAlgorithm<Object> any = (IterativeAlgorithm<Object>) algorithm;
        return Behaviors.supervise(Behaviors.<Command>setup(context -> new StepRunner(context, any)))
                .onFailure(SupervisorStrategy.restart());
    }

    private StepRunner(ActorContext<Command> context, IterativeAlgorithm<Object> algorithm) {
        super(context);
        this.algorithm = algorithm;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder().onMessage(RunStep.class, this::onRunStep).build();
    }

    private Behavior<Command> onRunStep(RunStep request) {
        long start = System.nanoTime();
        IterativeAlgorithm.Step<Object> step;
        try {
            step = algorithm.step(request.state());
        } catch (RuntimeException e) {
            request.replyTo().tell(new StepFailed(request.iteration(), request.attempt(), e));
            throw e;
        }
        request.replyTo().tell(new StepDone(request.iteration(), step, System.nanoTime() - start));
        return this;
    }
}
