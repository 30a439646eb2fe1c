package io.mobl.ops.cli;

import io.mobl.protocol.InvalidInputException;
import java.util.List;
import java.util.function.Predicate;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Which of a command's options apply on the path a run of it takes (which problem, algorithm, runtime), so that
 * an option given on the command line where it would change nothing is refused, naming the option and where it
 * does apply, rather than silently ignored (issue 17). An option without a rule applies on every path. The rules
 * see only what the command line gave: a key set in a file or with {@code --set} is the configuration's, and
 * every path reads the keys it needs.
 *
 * @param <P> what the command knows of its path once its options are read
 */
final class OptionRules<P> {
    /** {@code option} applies where {@code applies} holds; {@code only} says where that is ("with --algorithm forum"). */
    record Rule<P>(String option, Predicate<P> applies, String only) {}

    private final List<Rule<P>> rules;

    private OptionRules(List<Rule<P>> rules) {
        this.rules = List.copyOf(rules);
    }

    @SafeVarargs
    static <P> OptionRules<P> of(Rule<P>... rules) {
        return new OptionRules<>(List.of(rules));
    }

    static <P> Rule<P> rule(String option, Predicate<P> applies, String only) {
        return new Rule<>(option, applies, only);
    }

    /** The rule for {@code option}, if it has one (tests use it to know which paths refuse it). */
    java.util.Optional<Rule<P>> ruleFor(String option) {
        return rules.stream().filter(r -> r.option().equals(option)).findFirst();
    }

    /**
     * Refuses the first option that the command line of {@code spec} gave and that does not apply on {@code path}.
     *
     * @throws InvalidInputException naming the option, its value and where it applies
     */
    void check(CommandSpec spec, P path) {
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        if (parsed == null) return;
        for (Rule<P> rule : rules) {
            OptionSpec given = parsed.matchedOption(rule.option());
            if (given == null || rule.applies().test(path)) continue;
            List<String> values = given.originalStringValues();
            throw new InvalidInputException(rule.option(), values.isEmpty() ? "given" : String.join(",", values),
                    "to be left out: it applies only " + rule.only() + ", and would change nothing here");
        }
    }
}
