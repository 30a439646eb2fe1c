package io.mobl.core.problem;

import io.mobl.protocol.InvalidInputException;
import java.util.EnumSet;
import java.util.Set;

/** The check every algorithm makes before it starts: the problem must offer each oracle the algorithm calls. */
public final class RequiredOracles {
    private RequiredOracles() {}

    /**
     * @throws InvalidInputException naming the algorithm and the missing oracles by the papers' names
     */
    public static void check(BilevelProblem problem, String algorithm, Set<Oracle> needed) {
        EnumSet<Oracle> missing = EnumSet.noneOf(Oracle.class);
        missing.addAll(needed);
        missing.removeAll(problem.oracles());
        if (!missing.isEmpty()) {
            throw new InvalidInputException("algorithm", algorithm,
                    "a problem with the oracles " + missing.stream().map(o -> o.paperName() + " (" + o.name() + ")").toList()
                            + ", which this problem lacks; it offers " + problem.oracles().stream().map(Oracle::paperName).toList());
        }
    }
}
