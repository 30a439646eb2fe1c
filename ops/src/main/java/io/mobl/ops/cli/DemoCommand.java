package io.mobl.ops.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "A preference sweep on the built-in quadratic problem, with the Pareto front as a table.")
public final class DemoCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        return Main.execute(spec.commandLine().getOut(), spec.commandLine().getErr(), ConfigDefaults.of(spec.commandLine()),
                "run", "--problem", "quadratic", "--sweep", "7", "--iterations", "2000", "--tolerance", "1e-12",
                "--run", "demo");
    }
}
