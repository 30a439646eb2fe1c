package io.mobl.core.checkpoint;

/**
 * How one algorithm's state goes into a checkpoint and comes back, bit for bit: {@code decode(encode(s))} steps
 * exactly as {@code s} does. Every {@link io.mobl.core.algorithm.IterativeAlgorithm} has one
 * ({@code stateCodec()}); the runtimes use it to write {@link io.mobl.protocol.Checkpoint}s every N iterations
 * and to resume from the newest one.
 *
 * @param <S> the algorithm's state
 */
public interface StateCodec<S> {

    /** The state's image: iteration k, the preference in force, the algorithm's entries. */
    StateImage encode(S state);

    /**
     * The state the image was made from. An image that lacks an entry or has one of the wrong length is refused
     * with an {@link io.mobl.protocol.InvalidInputException} naming the entry, never half-loaded.
     */
    S decode(StateImage image);
}
