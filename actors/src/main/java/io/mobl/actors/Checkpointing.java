package io.mobl.actors;

import io.mobl.core.checkpoint.RunJournal;
import io.mobl.protocol.InvalidInputException;
import java.util.Objects;

/**
 * How a sweep's coordinators make their runs durable: each preference's {@link RunJournal} (opened from
 * {@code journals} when its coordinator starts, recovered before its first step) and the checkpoint interval.
 *
 * @param journals opens the journal of one run/preference; {@link RunJournal.Factory#NONE} keeps nothing
 * @param every    a checkpoint after every {@code every} iterations (≥ 1), or 0 for none but the final one
 */
public record Checkpointing(RunJournal.Factory journals, int every) {
    /** Nothing durable: no journal, no checkpoint, no resume. */
    public static final Checkpointing NONE = new Checkpointing(RunJournal.Factory.NONE, 0);

    public Checkpointing {
        Objects.requireNonNull(journals, "journals");
        if (every < 0) throw new InvalidInputException("checkpoint-every", every, "an integer >= 0 (0: no checkpoints)");
    }

    /** Checkpoints every {@code every} iterations (≥ 1) to the journals of {@code journals}. */
    public static Checkpointing every(int every, RunJournal.Factory journals) {
        if (every < 1) throw new InvalidInputException("checkpoint-every", every, "an integer >= 1");
        return new Checkpointing(journals, every);
    }

    /** Whether there is a journal to write at all. */
    public boolean durable() {
        return journals != RunJournal.Factory.NONE;
    }
}
