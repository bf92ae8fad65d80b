package dev.newsclassifier.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A record's bytes cannot be decoded, and retrying will not change that: the record is bad and belongs in the
 * dead-letter topic. {@link #reason()} says why in a form meant for a header or a metric tag.
 *
 * <p>A registry outage is deliberately not one of these; it surfaces as
 * {@link dev.newsclassifier.registry.SchemaRegistryUnavailableException} so that good records are retried, not
 * dead-lettered.
 */
public class RecordDecodeException extends SerializationException {

    /** Why a record could not be decoded. */
    public enum Reason {
        /** Null, shorter than the 5-byte header, or not starting with magic byte 0. */
        NOT_WIRE_FORMAT,
        /** The registry has no schema with the id in the header. */
        UNKNOWN_SCHEMA_ID,
        /** The writer's schema cannot be resolved to the reader's, e.g. it lacks a field the reader requires. */
        INCOMPATIBLE_WRITER_SCHEMA,
        /** The Avro payload does not match the writer's schema: truncated, garbage or followed by extra bytes. */
        MALFORMED_AVRO
    }

    private final Reason reason;
    private final String topic;
    private final int schemaId;

    public RecordDecodeException(Reason reason, String topic, int schemaId, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = reason;
        this.topic = topic;
        this.schemaId = schemaId;
    }

    public Reason reason() {
        return reason;
    }

    /** The topic the record came from, as given to the deserializer (may be null). */
    public String topic() {
        return topic;
    }

    /** The schema id from the record's header, or -1 when the header could not be read. */
    public int schemaId() {
        return schemaId;
    }
}
