package io.mobl.api;

/**
 * Where a run's iterations execute: {@link #synchronous()}, core's plain loop, one preference after the other (the
 * reference every other runtime matches bit for bit), or {@link #actors()}, the actor runtime: every preference at
 * once, each on its own coordinator (WC-MHGD's S hypergradients concurrently). A caller changes {@code run()} to
 * {@code run(Runtime.actors())} and nothing else; the front is the same to the last bit.
 */
public sealed interface Runtime permits Runtime.Synchronous, Runtime.Actors {

    /** The synchronous loop. */
    static Runtime synchronous() {
        return Synchronous.INSTANCE;
    }

    /** The actor runtime, started for the run and stopped after it (its settings from reference.conf). */
    static Runtime actors() {
        return Actors.INSTANCE;
    }

    /** core's {@code SynchronousSolver} / {@code IterativeRun}. */
    enum Synchronous implements Runtime { INSTANCE }

    /** actors' {@code ActorRuntime}. */
    enum Actors implements Runtime { INSTANCE }
}
