package io.mobl.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every option of {@code mobl run} is honoured on every path that accepts it, or refused there (exit 2, naming
 * it), never silently ignored (issue 17). The options come from picocli's model of the command, so a new option
 * without a probe here fails {@link #everyOptionOfRunHasAProbe}. Each probe sets a value other than the path's
 * (and what else makes it observable); the paths are every algorithm × the quadratic and stochastic-quadratic
 * problems × the sync and actor runtimes, on tiny sizes. A run's fingerprint is its exit code, Pareto table,
 * {@code --out} points, telemetry (without timings) and the files it wrote, or, for the options that only change
 * what the run tells (runtime, metrics endpoint, checkpoints), the lines it prints before the table. An option is
 * honoured when the fingerprint differs from the path's without it; refused when the run exits with 2 and stderr
 * names it. With {@code --continuous} only the refusals are run (before any broker starts); what applies there is
 * {@link StreamingCommandsTest}'s.
 */
class OptionsPathsTest {
    @TempDir Path temp;

    /**
     * What a probe changes: the run's results, only the lines it prints before them, or the distinct points x it
     * finds (a preference that changes only the label of the point is ignored).
     */
    enum Seen { RESULT, HEADER, POINTS }

    /** A path of {@code mobl run}: the algorithm, the problem, the runtime. */
    record RunPath(String algorithm, String problem, String runtime) {
        boolean stochastic() {
            return problem.equals("stochastic-quadratic");
        }

        @Override
        public String toString() {
            return "--algorithm " + algorithm + " --problem " + problem + " --runtime " + runtime;
        }
    }

    /**
     * How to observe one option: {@code base} adds to the path's arguments for both runs (what the option needs to
     * act, e.g. an endpoint for --metrics-host), {@code probe} then changes them; with {@code resumes} the base run
     * goes first in the probe's directory (for --resume).
     */
    record Probe(Seen seen, BiConsumer<Args, RunPath> base, BiConsumer<Args, RunPath> probe, boolean resumes) {
        static Probe result(BiConsumer<Args, RunPath> probe) {
            return new Probe(Seen.RESULT, (a, p) -> {}, probe, false);
        }

        static Probe header(BiConsumer<Args, RunPath> probe) {
            return new Probe(Seen.HEADER, (a, p) -> {}, probe, false);
        }

        static Probe value(String option, String value) {
            return result((a, p) -> a.put(option, value));
        }
    }

    /** A command line being built: an option given twice replaces the first. */
    static final class Args {
        final Path dir;
        final Map<String, String> options = new LinkedHashMap<>();

        Args(Path dir) {
            this.dir = dir;
        }

        Args put(String option, String value) {
            options.put(option, value);
            return this;
        }

        Args flag(String option) {
            return put(option, null);
        }

        Args remove(String option) {
            options.remove(option);
            return this;
        }

        String file(String name) {
            return dir.resolve(name).toString();
        }

        String[] toArray(String command) {
            List<String> list = new ArrayList<>(List.of(command));
            options.forEach((k, v) -> {
                list.add(k);
                if (v != null) list.add(v);
            });
            return list.toArray(new String[0]);
        }
    }

    private static final Map<String, Probe> RUN = new TreeMap<>();
    /** Options honoured on every path whose effect another test observes (it needs a broker). */
    private static final Map<String, String> RUN_ELSEWHERE = Map.of(
            "--bootstrap-servers", "DashboardScrapeTest: the run's telemetry and points on the broker's topics",
            "--cluster", "ClusterRunProcessesTest: the sweep on mobl node members (needs live seed nodes)");

    static {
        // rank-deficient is not strongly convex, which CG refuses; wc-penalty-stochastic samples a dense lower level
        RUN.put("--problem", Probe.result((a, p) -> a.put("--problem", p.stochastic() ? "quadratic"
                : p.algorithm().equals("wc-penalty-stochastic") ? "rank-deficient" : "quadratic-large")));
        RUN.put("--problem-file", Probe.result((a, p) -> a.put("--problem-file", write(a.file("q.conf"), """
                type = quadratic
                A = [[2, 0.5], [0.5, 1]]
                B = [[1, 0, 2], [0, 1, 1]]
                objectives = [ { c = [1, 0], d = [0, 0, 1], a = 0.5 }, { c = [0, 1], d = [1, 1, 0], a = 2 } ]
                """))));
        RUN.put("--seed", Probe.value("--seed", "7"));
        RUN.put("--upper-dim", Probe.value("--upper-dim", "2"));
        RUN.put("--lower-dim", Probe.value("--lower-dim", "3"));
        RUN.put("--objectives", Probe.value("--objectives", "3"));
        // a restriction: where the algorithm needs no hidden oracle only the header says so (FORUM), else refused
        RUN.put("--oracles", Probe.header((a, p) -> a.put("--oracles", "first-order")));
        RUN.put("--algorithm", Probe.result((a, p) -> a.put("--algorithm", p.algorithm().equals("forum") ? "moco" : "forum")));
        RUN.put("--hypergradient", Probe.value("--hypergradient", "ns"));
        RUN.put("--iterations", Probe.value("--iterations", "2"));
        RUN.put("--tolerance", Probe.value("--tolerance", "1e6"));
        RUN.put("--lower-iterations", Probe.value("--lower-iterations", "2"));
        RUN.put("--cg-steps", Probe.value("--cg-steps", "1"));
        RUN.put("--chebyshev-weight", Probe.value("--chebyshev-weight", "3"));
        RUN.put("--lower-step-size", Probe.value("--lower-step-size", "0.01"));
        RUN.put("--upper-step-size", Probe.value("--upper-step-size", "0.01"));
        RUN.put("--rho", Probe.value("--rho", "5"));
        RUN.put("--penalty-step", Probe.value("--penalty-step", "0.01"));
        RUN.put("--penalty-scale", Probe.value("--penalty-scale", "3"));
        RUN.put("--penalty-batch", Probe.value("--penalty-batch", "1"));
        RUN.put("--penalty-seed", Probe.value("--penalty-seed", "9"));
        RUN.put("--preference", new Probe(Seen.POINTS, (a, p) -> a.remove("--sweep").put("--preference", "0.3,0.7"),
                (a, p) -> a.put("--preference", "0.7,0.3"), false));
        RUN.put("--sweep", new Probe(Seen.POINTS, (a, p) -> {}, (a, p) -> a.put("--sweep", "3"), false));
        RUN.put("--batch-size", Probe.value("--batch-size", "4"));
        RUN.put("--neumann-steps", Probe.value("--neumann-steps", "2"));
        RUN.put("--minibatch-rows", Probe.value("--minibatch-rows", "3"));
        RUN.put("--noise", Probe.value("--noise", "0.1"));
        RUN.put("--out", Probe.result((a, p) -> a.put("--out", a.file("other.jsonl"))));
        RUN.put("--telemetry-out", Probe.result((a, p) -> a.put("--telemetry-out", a.file("other-telemetry.jsonl"))));
        // the runtimes compute the same points bit for bit (ActorRuntimeEveryAlgorithmTest): the header tells which ran
        RUN.put("--runtime", Probe.header((a, p) -> a.put("--runtime", p.runtime().equals("sync") ? "actors" : "sync")));
        RUN.put("--metrics-port", Probe.header((a, p) -> a.put("--metrics-port", "-1")));
        RUN.put("--metrics-host", new Probe(Seen.HEADER, (a, p) -> a.put("--metrics-port", "-1"),
                (a, p) -> a.put("--metrics-host", "0.0.0.0"), false));
        RUN.put("--run", Probe.value("--run", "other"));
        RUN.put("--checkpoint-every", Probe.header((a, p) -> a.put("--checkpoint-every", "1")
                .put("--checkpoint-dir", a.file("checkpoints"))));
        RUN.put("--checkpoint-dir", new Probe(Seen.HEADER,
                (a, p) -> a.put("--checkpoint-every", "1").put("--checkpoint-dir", a.file("checkpoints")),
                (a, p) -> a.put("--checkpoint-dir", a.file("elsewhere")), false));
        RUN.put("--resume", new Probe(Seen.HEADER,
                (a, p) -> a.put("--checkpoint-every", "1").put("--checkpoint-dir", a.file("checkpoints")).put("--run", "r"),
                (a, p) -> a.remove("--run").put("--resume", "r"), true));
        RUN.put("--continuous", Probe.result((a, p) -> a.flag("--continuous")));
        RUN.put("--pareto-every", Probe.value("--pareto-every", "3"));
        RUN.put("--produce", Probe.result((a, p) -> a.flag("--produce")));
        RUN.put("--rate", Probe.value("--rate", "10"));
        RUN.put("--batch-timeout", Probe.value("--batch-timeout", "1s"));
        RUN.put("--config", Probe.result((a, p) -> a.put("--config", write(a.file("c.conf"), "mobl.problem.seed = 7\n"))));
        RUN.put("--set", Probe.value("--set", "mobl.problem.seed=7"));
        RUN.put("--help", Probe.header((a, p) -> a.flag("--help")));
        RUN.put("--version", Probe.header((a, p) -> a.flag("--version")));
    }

    /** What applies with --continuous (StreamingCommandsTest runs it); the other options are refused there. */
    private static final Set<String> CONTINUOUS_APPLIES = Set.of("--seed", "--upper-dim", "--lower-dim", "--objectives",
            "--noise", "--lower-iterations", "--neumann-steps", "--batch-size", "--chebyshev-weight", "--lower-step-size",
            "--upper-step-size", "--preference", "--run", "--pareto-every", "--produce", "--metrics-port",
            "--metrics-host", "--checkpoint-every", "--bootstrap-servers", "--batch-timeout", "--config", "--set",
            "--help", "--version", "--continuous");

    @Test
    void everyOptionOfRunHasAProbe() {
        assertThat(Sets.union(RUN.keySet(), RUN_ELSEWHERE.keySet())).as("the probes of run's options")
                .isEqualTo(optionsOf("run"));
    }

    @Test
    void everyOptionOfRunIsHonouredOrRefusedOnEveryPath() throws Exception {
        List<RunPath> paths = new ArrayList<>();
        for (String algorithm : AlgorithmOptions.KNOWN) {
            for (String problem : List.of("quadratic", "stochastic-quadratic")) {
                for (String runtime : List.of("sync", "actors")) paths.add(new RunPath(algorithm, problem, runtime));
            }
        }
        List<String> failures = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<List<String>>> each = new ArrayList<>();
            for (RunPath path : paths) each.add(pool.submit(() -> probe(path)));
            for (Future<List<String>> f : each) failures.addAll(f.get());
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(1, TimeUnit.MINUTES);
        }
        for (String option : RUN.keySet()) {
            if (CONTINUOUS_APPLIES.contains(option)) continue;
            Path dir = directory();
            Args args = new Args(dir).flag("--continuous").put("--bootstrap-servers", "127.0.0.1:9");
            RUN.get(option).base().accept(args, new RunPath("wc-mhgd", "stochastic-quadratic", "actors"));
            RUN.get(option).probe().accept(args, new RunPath("wc-mhgd", "stochastic-quadratic", "actors"));
            Result refused = run(args, Duration.ofSeconds(20));
            if (refused.code() != 2 || !refused.err().contains(option)) {
                failures.add("option " + option + " is silently ignored on path --continuous: exit " + refused.code()
                        + " " + refused.err().strip());
            }
        }
        System.out.printf("OptionsPathsTest: %d runs of mobl run over %d paths%n", runs.get(), paths.size() + 1);
        System.out.println("OptionsPathsTest ms by kind: " + TIMES);
        assertThat(failures).as("options ignored").isEmpty();
    }

    /** Every probe on one path: what it found ignored, or refused without naming the option. */
    private List<String> probe(RunPath path) throws Exception {
        List<String> failures = new ArrayList<>();
        Path dir = directory();
        Result baseline = run(baseArgs(dir, path), null);
        if (path.stochastic() && !path.algorithm().equals("wc-mhgd")) {
            // stochastic-quadratic runs stochastic WC-MHGD: any other --algorithm is refused up front
            if (baseline.code() != 2 || !baseline.err().contains("--algorithm")) {
                failures.add("--algorithm is silently ignored on path " + path + ": exit " + baseline.code());
            }
            return failures;
        }
        assertThat(baseline.code()).as("the baseline of %s: %s", path, baseline.err()).isZero();
        Map<Seen, String> plain = baseline.fingerprints();
        for (Map.Entry<String, Probe> entry : RUN.entrySet()) {
            String option = entry.getKey();
            Probe probe = entry.getValue();
            Path probeDir = directory();
            Map<Seen, String> expected = plain;
            Args base = baseArgs(probeDir, path);
            probe.base().accept(base, path);
            if (!base.options.equals(baseArgs(probeDir, path).options)) {
                Path baseDir = directory();
                Args own = baseArgs(baseDir, path);
                probe.base().accept(own, path);
                Result r = run(own, null);
                expected = r.fingerprints();
            }
            if (probe.resumes()) run(base, null);
            probe.probe().accept(base, path);
            Result probed = run(base, null);
            String where = "on path " + path;
            if (probed.code() == 2) {
                if (!probed.err().contains(option)) failures.add("option " + option + " " + where
                        + " is refused without being named: " + probed.err().strip());
            } else if (probed.code() != 0) {
                failures.add("option " + option + " " + where + " fails with exit " + probed.code() + ": " + probed.err().strip());
            } else if (probed.of(probe.seen()).equals(expected.get(probe.seen()))) {
                failures.add("option " + option + " is silently ignored " + where);
            }
        }
        return failures;
    }

    private static final Map<String, java.util.concurrent.atomic.LongAdder> TIMES = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();

    private Path directory() throws IOException {
        return Files.createDirectories(temp.resolve(String.valueOf(runs.incrementAndGet())));
    }

    private static Args baseArgs(Path dir, RunPath path) {
        Args args = new Args(dir).put("--algorithm", path.algorithm()).put("--problem", path.problem())
                .put("--runtime", path.runtime()).put("--upper-dim", "3").put("--lower-dim", "4").put("--iterations", "3")
                .put("--metrics-port", "0").put("--out", dir.resolve("out.jsonl").toString())
                .put("--telemetry-out", dir.resolve("telemetry.jsonl").toString());
        // the algorithms without a preference run one point, and refuse a sweep
        return path.stochastic() || AlgorithmOptions.TAKES_PREFERENCE.contains(path.algorithm()) ? args.put("--sweep", "2") : args;
    }

    /** What one run showed, its directory's name written DIR. */
    record Result(int code, String out, String err, String files, String points, String telemetry) {
        private List<String> lines() {
            return out.lines().filter(l -> !l.startsWith("wrote ")).toList();
        }

        private int table() {
            List<String> lines = lines();
            for (int i = 0; i < lines.size(); i++) if (lines.get(i).startsWith("preference")) return i;
            return lines.size();
        }

        String result() {
            List<String> lines = lines();
            return code + "\n" + String.join("\n", lines.subList(table(), lines.size())) + "\n" + files + "\n" + points
                    + "\n" + telemetry;
        }

        String header() {
            return code + "\n" + String.join("\n", lines().subList(0, table())).replaceAll(":\\d+/", ":PORT/");
        }

        /** The distinct x of the points, in order. */
        String distinctPoints() {
            java.util.regex.Matcher x = java.util.regex.Pattern.compile("\"x\":\\[[^\\]]*\\]").matcher(points);
            Set<String> distinct = new java.util.LinkedHashSet<>();
            while (x.find()) distinct.add(x.group());
            return code + "\n" + distinct;
        }

        String of(Seen seen) {
            return switch (seen) {
                case RESULT -> result();
                case HEADER -> header();
                case POINTS -> distinctPoints();
            };
        }

        Map<Seen, String> fingerprints() {
            return Map.of(Seen.RESULT, result(), Seen.HEADER, header(), Seen.POINTS, distinctPoints());
        }
    }

    private Result run(Args args, Duration limit) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] argv = args.toArray("run");
        int code;
        long start = System.nanoTime();
        if (limit == null) {
            code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), argv);
        } else {
            ExecutorService single = Executors.newSingleThreadExecutor();
            try {
                Future<Integer> running = single.submit(() -> Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), argv));
                try {
                    code = running.get(limit.toMillis(), TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException stillRunning) {
                    running.cancel(true);
                    code = -1;
                }
            } finally {
                single.shutdownNow();
            }
        }
        TIMES.computeIfAbsent(args.options.getOrDefault("--runtime", "-") + " exit " + code,
                k -> new java.util.concurrent.atomic.LongAdder()).add((System.nanoTime() - start) / 1_000_000);
        String dir = args.dir.toString();
        String files;
        try (Stream<Path> walk = Files.walk(args.dir)) {
            files = walk.map(f -> args.dir.relativize(f).toString()).sorted().collect(Collectors.joining(","));
        }
        return new Result(code, out.toString().replace(dir, "DIR"), err.toString(), files,
                read(args.dir.resolve("out.jsonl")).replace(dir, "DIR"),
                read(args.dir.resolve("telemetry.jsonl")).replaceAll("\"phaseNanos\":\\{[^}]*\\}", ""));
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }

    private static String write(String file, String text) {
        try {
            Files.writeString(Path.of(file), text);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return file;
    }

    private static Set<String> optionsOf(String subcommand) {
        var cli = Main.commandLine(new Main(), ConfigDefaults.load(java.util.Optional.empty(), Map.of()),
                new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        Set<String> names = new TreeSet<>();
        for (OptionSpec option : cli.getSubcommands().get(subcommand).getCommandSpec().options()) {
            names.add(option.longestName());
        }
        return names;
    }

    private static final class Sets {
        static Set<String> union(Set<String> a, Set<String> b) {
            Set<String> all = new TreeSet<>(a);
            all.addAll(b);
            return all;
        }
    }
}
