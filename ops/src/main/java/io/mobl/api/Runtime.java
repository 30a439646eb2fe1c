package io.mobl.api;

/**
 * Where a run's iterations execute. Today: {@link #synchronous()}, core's plain loop, one preference after the other
 * (the reference every other runtime matches bit for bit). The actor runtime (preferences in parallel, the S
 * hypergradients concurrently) and Kafka-fed stochastic runs join this interface as further implementations, so a
 * caller changes {@code run()} to {@code run(Runtime.actors(…))} and nothing else.
 */
public sealed interface Runtime permits Runtime.Synchronous {

    /** The synchronous loop. */
    static Runtime synchronous() {
        return Synchronous.INSTANCE;
    }

    /** core's {@code SynchronousSolver} / {@code IterativeRun}. */
    enum Synchronous implements Runtime { INSTANCE }
}
