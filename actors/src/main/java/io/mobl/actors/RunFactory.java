package io.mobl.actors;

/**
 * Rebuilds a preference's algorithm from its {@link RunSpec} on the node its {@link ShardedCoordinator} runs on.
 * Every node of a cluster must build the same algorithm from the same spec (the same mobl, the same problem file
 * text or built-in problem options), so that a preference restarted elsewhere from its checkpoint goes on exactly
 * as it would have. The CLI's factory reads {@link RunSpec#args()} as {@code mobl run} reads its options.
 */
@FunctionalInterface
public interface RunFactory {
    /**
     * The preference's algorithm on a problem of its own (a counting wrapper, so that its oracle counts are its
     * own), with its batch source and guard if any.
     *
     * @throws io.mobl.protocol.InvalidInputException when the spec's options are wrong; the submitter is told why
     */
    AlgorithmSweepSpec.Part part(RunSpec spec);
}
