package io.mobl.ops.cli;

import io.mobl.core.checkpoint.FileRunJournal;
import io.mobl.core.checkpoint.RunJournal;
import io.mobl.ops.config.MoblConfig;
import io.mobl.protocol.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What one {@code mobl run} does about checkpoints, settled at start: how often it checkpoints
 * ({@code --checkpoint-every}, {@code mobl.checkpoint.every}), where the synchronous runtime's file journals go
 * ({@code --checkpoint-dir}, {@code mobl.checkpoint.dir}), the run's name, and whether it resumes an earlier run
 * ({@code --resume RUN}). Every runtime takes its settings from here; the synchronous one opens
 * {@link FileRunJournal}s under the directory.
 *
 * @param every     N, checkpoints before every N-th iteration and at the end (0: only at the end of a resumed run)
 * @param directory the journals' root: {@code directory/RUN/PREFERENCE-INDEX/}
 * @param run       the run's name (the resumed run's when resuming)
 * @param resume    whether the run goes on from its checkpoints
 */
public record RunCheckpoints(int every, Path directory, String run, boolean resume) {

    /** Whether the run keeps a journal at all. */
    public boolean active() {
        return every > 0 || resume;
    }

    /** The file journals of this run (none when checkpoints are off). */
    public RunJournal.Factory journals() {
        return active() ? FileRunJournal.in(directory) : RunJournal.Factory.NONE;
    }

    /**
     * The settings of a run named {@code run} (from {@code --run}) or resuming {@code resume} (null: not resuming).
     * Refuses, naming the option, a resume of a run that has no checkpoints in the directory, and a new run whose
     * name already has checkpoints there (it would silently go on from them: {@code --resume} says so).
     */
    static RunCheckpoints of(MoblConfig.Checkpoints config, String run, String resume) {
        Path directory = config.directory();
        if (resume != null) {
            Path journal = FileRunJournal.directory(directory, resume, 0).getParent();
            if (!Files.isDirectory(journal)) {
                throw new InvalidInputException("--resume", resume, "a run with checkpoints in " + directory
                        + " (there is no " + journal + "; --checkpoint-dir names another directory)");
            }
            return new RunCheckpoints(config.every(), directory, resume, true);
        }
        if (config.enabled() && Files.exists(FileRunJournal.directory(directory, run, 0).getParent())) {
            throw new InvalidInputException("--run", run, "a run name without checkpoints in " + directory
                    + " (an earlier run " + run + " left some: --resume " + run + " continues it; remove "
                    + directory.resolve(run) + " to start over)");
        }
        return new RunCheckpoints(config.every(), directory, run, false);
    }

    /** "checkpoints every 10 iterations in checkpoints/run (resumed)", for the run's first lines. */
    String describe() {
        if (!active()) return "no checkpoints";
        return (every > 0 ? "checkpoints every " + every + " iterations" : "a checkpoint at the end") + " in "
                + directory.resolve(run) + (resume ? " (resumed)" : "");
    }
}
