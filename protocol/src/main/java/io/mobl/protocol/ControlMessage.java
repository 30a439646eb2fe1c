package io.mobl.protocol;

import java.util.Arrays;
import java.util.Objects;

/**
 * A user's command to a running sweep, read from {@code mobl.control} (keyed by run). JSON form, e.g.
 * {@code {"type":"set-preference","run":"r1","preference":[0.7,0.3]}} or {@code {"type":"pause","run":"r1"}}
 * (see {@code io.mobl.protocol.codec.JsonCodec}).
 */
public sealed interface ControlMessage {

    /** The run the message is for. */
    String run();

    /** The JSON {@code type} tag. */
    String type();

    /** Move the run to a new preference vector (in the open simplex). */
    record SetPreference(String run, double[] preference) implements ControlMessage {
        public static final String TYPE = "set-preference";

        public SetPreference {
            checkRun(run);
            Checks.preference("preference", preference, preference == null ? 0 : preference.length);
            preference = preference.clone();
        }

        @Override public String type() { return TYPE; }

        @Override
        public double[] preference() { return preference.clone(); }

        @Override
        public boolean equals(Object o) {
            return o instanceof SetPreference s && run.equals(s.run) && Arrays.equals(preference, s.preference);
        }

        @Override
        public int hashCode() { return Objects.hash(run, Arrays.hashCode(preference)); }

        @Override
        public String toString() { return "SetPreference[" + run + " " + Arrays.toString(preference) + "]"; }
    }

    record Pause(String run) implements ControlMessage {
        public static final String TYPE = "pause";
        public Pause { checkRun(run); }
        @Override public String type() { return TYPE; }
    }

    record Resume(String run) implements ControlMessage {
        public static final String TYPE = "resume";
        public Resume { checkRun(run); }
        @Override public String type() { return TYPE; }
    }

    record Stop(String run) implements ControlMessage {
        public static final String TYPE = "stop";
        public Stop { checkRun(run); }
        @Override public String type() { return TYPE; }
    }

    private static void checkRun(String run) {
        if (run == null || run.isBlank()) throw new InvalidInputException("run", run, "a non-empty run name");
    }
}
