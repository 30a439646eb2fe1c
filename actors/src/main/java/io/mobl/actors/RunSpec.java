package io.mobl.actors;

import io.mobl.protocol.CborSerializable;
import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One preference of a sweep as every node of a cluster can rebuild it: the problem and the algorithm as the words
 * of a command line ({@code args}, e.g. {@code --problem quadratic --seed 7 --algorithm forum --rho 0.5}), which the
 * node's {@link RunFactory} turns into the algorithm on a problem of its own, never an in-JVM object. Sent as
 * Jackson CBOR to the {@link ShardedCoordinator} entity {@link #entityId()}, and again to the member its shard moves
 * to when a node dies.
 *
 * @param run             the sweep's name (the journal's key with {@code index})
 * @param index           the preference's position in the sweep, from 0
 * @param args            problem and algorithm options, read the same way on every node
 * @param preference      r, in the open simplex
 * @param iterations      K, the outer iterations
 * @param checkpointEvery a checkpoint every this many iterations (0: none, nothing journaled); a restarted entity
 *                        goes on from the newest one in the node's journal
 */
public record RunSpec(String run, int index, List<String> args, double[] preference, int iterations,
                      int checkpointEvery) implements CborSerializable {
    public RunSpec {
        Objects.requireNonNull(run, "run");
        if (run.isBlank() || run.contains("/")) throw new InvalidInputException("run", run, "a name without '/'");
        Checks.atLeast("index", index, 0);
        args = List.copyOf(args);
        Checks.preference("preference", preference, preference == null ? 0 : preference.length);
        preference = preference.clone();
        Checks.atLeast("iterations", iterations, 0);
        Checks.atLeast("checkpoint-every", checkpointEvery, 0);
    }

    /** The sharding entity id: {@code run/index}. */
    public String entityId() {
        return run + "/" + index;
    }

    @Override
    public double[] preference() {
        return preference.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RunSpec s && run.equals(s.run) && index == s.index && args.equals(s.args)
                && Arrays.equals(preference, s.preference) && iterations == s.iterations
                && checkpointEvery == s.checkpointEvery;
    }

    @Override
    public int hashCode() {
        return Objects.hash(run, index, args, Arrays.hashCode(preference), iterations, checkpointEvery);
    }

    @Override
    public String toString() {
        return "RunSpec[" + entityId() + ", " + String.join(" ", args) + ", r=" + Arrays.toString(preference) + ", K="
                + iterations + ", checkpoint every " + checkpointEvery + "]";
    }
}
