package io.mobl.actors;

import io.mobl.core.algorithm.Solution;
import io.mobl.protocol.ParetoPoint;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * A running sweep: its result, and the controls (P3) of each of its preferences, addressed by their position
 * in the sweep. A control's stage completes with the iteration in progress when it arrived (see
 * {@link Coordinator.Accepted}), or fails with the reason it was rejected: an invalid preference
 * ({@link io.mobl.protocol.InvalidInputException}) or a run that has ended ({@link IllegalStateException}).
 */
public final class SweepHandle {
    private final ActorSystem<RuntimeGuardian.Command> system;
    private final RuntimeSettings settings;
    private final String name;
    private final SweepPlan spec;
    private final CompletableFuture<List<Solution>> solutions;

    SweepHandle(ActorSystem<RuntimeGuardian.Command> system, RuntimeSettings settings, String name, SweepPlan spec,
                CompletableFuture<List<Solution>> solutions) {
        this.system = system;
        this.settings = settings;
        this.name = name;
        this.spec = spec;
        this.solutions = solutions;
    }

    /** One solution per preference, in their order; fails with a {@link RunFailedException} if a run failed. */
    public CompletionStage<List<Solution>> solutions() {
        return solutions.minimalCompletionStage();
    }

    /** The points of {@link #solutions()}. */
    public CompletionStage<List<ParetoPoint>> points() {
        return solutions.thenApply(list -> list.stream().map(Solution::point).toList());
    }

    public String run() {
        return spec.run();
    }

    public int size() {
        return spec.size();
    }

    /** r for preference {@code index} from its next iteration on; the run goes on from its current x. */
    public CompletionStage<Integer> setPreference(int index, double[] preference) {
        double[] copy = preference == null ? null : preference.clone();
        return control(index, reply -> new Coordinator.SetPreference(copy, reply));
    }

    /** Holds preference {@code index} after the iteration in progress. */
    public CompletionStage<Integer> pause(int index) {
        return control(index, Coordinator.Pause::new);
    }

    public CompletionStage<Integer> resume(int index) {
        return control(index, Coordinator.Resume::new);
    }

    /** Ends preference {@code index} at the iteration in progress, with that iterate as its point. */
    public CompletionStage<Integer> stop(int index) {
        return control(index, Coordinator.Stop::new);
    }

    private CompletionStage<Integer> control(int index,
            Function<ActorRef<Coordinator.ControlReply>, Coordinator.Control> command) {
        return AskPattern.<RuntimeGuardian.Command, Coordinator.ControlReply>ask(system,
                        reply -> new RuntimeGuardian.Control(name, index, command.apply(reply)),
                        settings.askTimeout(), system.scheduler())
                .thenCompose(reply -> reply instanceof Coordinator.Accepted accepted
                        ? CompletableFuture.completedFuture(accepted.iteration())
                        : CompletableFuture.failedFuture(((Coordinator.Rejected) reply).reason()));
    }
}
