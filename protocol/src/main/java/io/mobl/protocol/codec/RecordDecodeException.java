package io.mobl.protocol.codec;

/**
 * A record (binary minibatch, JSON message, JSON line) could not be decoded. The message is one line that
 * says why, e.g. {@code unsupported schema version 9 (expected 1)} or {@code preference: expected an array of
 * numbers, got STRING}; streams copy it into the {@code mobl.dlq.reason} header of the dead-letter record.
 *
 * <p>Unchecked, so that it can leave a Kafka {@code Deserializer} (the Kafka consumer wraps it into its own
 * {@code RecordDeserializationException} naming partition and offset).
 */
public final class RecordDecodeException extends RuntimeException {
    private final String location;
    private final String field;
    private final String reason;

    /**
     * @param field  the offending field (JSON field path or binary section), or null when the record as a whole is bad
     * @param reason why, as one line; the message is "field: reason" unless the reason already starts with the field
     */
    public RecordDecodeException(String field, String reason) {
        this(null, field, reason, null);
    }

    public RecordDecodeException(String field, String reason, Throwable cause) {
        this(null, field, reason, cause);
    }

    private RecordDecodeException(String location, String field, String reason, Throwable cause) {
        super((location == null ? "" : location + ": ")
                + (field == null || reason.startsWith(field) ? "" : field + ": ") + reason, cause);
        this.location = location;
        this.field = field;
        this.reason = reason;
    }

    /** A failure of the record as a whole (no single field to blame). */
    public static RecordDecodeException of(String reason) {
        return new RecordDecodeException(null, null, reason, null);
    }

    /** The offending field, or null. */
    public String field() { return field; }

    /** Why, without field or location. */
    public String reason() { return reason; }

    /** Where in a larger input (e.g. "line 3"), or null. */
    public String location() { return location; }

    /** The same failure located in a larger input, e.g. {@code at("line 3")}. */
    public RecordDecodeException at(String where) {
        return new RecordDecodeException(where, field, reason, getCause());
    }
}
