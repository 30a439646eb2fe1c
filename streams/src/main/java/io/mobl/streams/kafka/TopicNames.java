package io.mobl.streams.kafka;

import io.mobl.protocol.InvalidInputException;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The names of a run's topics (DESIGN §5). Every streams component takes its topic from here; nothing in streams
 * names a topic itself. {@link #defaults(String)} gives the names {@code reference.conf} gives under
 * {@code mobl.kafka.topics.*}; a configuration may name any of them otherwise.
 *
 * @param lower       lower-level minibatches, keyed by batch id ({@code mobl.<run>.lower})
 * @param upper       upper-level (validation) minibatches, keyed by objective ({@code mobl.<run>.upper})
 * @param telemetry   per-iteration telemetry, JSON ({@code mobl.telemetry})
 * @param pareto      Pareto points, JSON, compacted ({@code mobl.pareto})
 * @param control     preference updates, pause, resume, stop ({@code mobl.control})
 * @param checkpoints coordinator checkpoints, compacted ({@code mobl.checkpoints})
 * @param dlq         records that could not be used, with the reason ({@code mobl.dlq})
 */
public record TopicNames(String lower, String upper, String telemetry, String pareto, String control,
                         String checkpoints, String dlq) {
    /** What Kafka accepts as a topic name. */
    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    public TopicNames {
        check("topics.lower", lower);
        check("topics.upper", upper);
        check("topics.telemetry", telemetry);
        check("topics.pareto", pareto);
        check("topics.control", control);
        check("topics.checkpoints", checkpoints);
        check("topics.dlq", dlq);
        if (lower.equals(upper)) {
            throw new InvalidInputException("topics.upper", upper, "a topic other than topics.lower (each level has its own topic)");
        }
    }

    /** The defaults of {@code reference.conf}: {@code mobl.<run>.lower}, {@code mobl.<run>.upper}, {@code mobl.telemetry}, … */
    public static TopicNames defaults(String run) {
        String r = Topics.checkRun(run);
        return new TopicNames("mobl." + r + ".lower", "mobl." + r + ".upper", "mobl.telemetry", "mobl.pareto",
                "mobl.control", "mobl.checkpoints", "mobl.dlq");
    }

    /** The same names with another dead-letter topic. */
    public TopicNames withDlq(String topic) {
        return new TopicNames(lower, upper, telemetry, pareto, control, checkpoints, topic);
    }

    /** The same names with other telemetry, Pareto and checkpoint topics (e.g. a test's own). */
    public TopicNames withResults(String telemetryTopic, String paretoTopic, String checkpointTopic) {
        return new TopicNames(lower, upper, telemetryTopic, paretoTopic, control, checkpointTopic, dlq);
    }

    /** The same names with another control topic. */
    public TopicNames withControl(String topic) {
        return new TopicNames(lower, upper, telemetry, pareto, topic, checkpoints, dlq);
    }

    /** All seven, in the order of the record. */
    public List<String> all() {
        return List.of(lower, upper, telemetry, pareto, control, checkpoints, dlq);
    }

    private static void check(String field, String name) {
        if (name == null || !LEGAL.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            throw new InvalidInputException(field, name, "a Kafka topic name: 1 to 249 letters, digits, '.', '_' or '-'");
        }
    }
}
