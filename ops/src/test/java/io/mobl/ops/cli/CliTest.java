package io.mobl.ops.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** A CLI test runs {@code mobl} in-process, exactly as the launcher does, and reads what it printed. */
abstract class CliTest {
    protected final StringWriter out = new StringWriter();
    protected final StringWriter err = new StringWriter();

    /** Runs {@code mobl args…}; returns its exit code. */
    protected int mobl(String... args) {
        return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }
}
