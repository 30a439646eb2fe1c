package io.mobl.core.algorithm;

import io.mobl.core.checkpoint.RunJournal;
import io.mobl.core.stochastic.BatchSource;
import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;

/**
 * How one run/preference on the synchronous loop is made durable ({@link IterativeRun#runDurably}): where its
 * telemetry, points and checkpoints go, how often it checkpoints, and the data source whose positions a checkpoint
 * records (a stochastic algorithm's, or {@link #NO_SOURCE}).
 *
 * @param journal         the run/preference's journal ({@link RunJournal#NONE}: nothing is kept)
 * @param every           N: a checkpoint before every iteration k with k mod N = 0 (k &gt; 0), and one at the end;
 *                        0 checkpoints only at the end (and with {@link RunJournal#NONE} not at all)
 * @param run             the run's name, in every record
 * @param preferenceIndex the preference's index in its sweep, in the checkpoint's key
 * @param source          the batch source the algorithm draws from: acknowledged after each step, its positions in
 *                        each checkpoint, resumed at the checkpoint's positions
 */
public record Durability(RunJournal journal, int every, String run, int preferenceIndex, BatchSource source) {
    /** The source of a deterministic algorithm: no batches, no positions. */
    public static final BatchSource NO_SOURCE = (objective, timeout) -> {
        throw new IllegalStateException("a deterministic algorithm draws no minibatches");
    };

    public Durability {
        if (journal == null) throw new InvalidInputException("journal", null, "a run journal (RunJournal.NONE for none)");
        Checks.atLeast("checkpoint.every", every, 0);
        if (run == null || run.isEmpty()) throw new InvalidInputException("run", run, "a run name");
        Checks.atLeast("preferenceIndex", preferenceIndex, 0);
        if (source == null) throw new InvalidInputException("source", null, "a batch source (NO_SOURCE for none)");
    }

    /** A run that keeps nothing: no journal, no source. */
    public static Durability none(String run, int preferenceIndex) {
        return new Durability(RunJournal.NONE, 0, run, preferenceIndex, NO_SOURCE);
    }

    /** The same settings for a stochastic algorithm fed by {@code source}. */
    public Durability withSource(BatchSource source) {
        return new Durability(journal, every, run, preferenceIndex, source);
    }
}
