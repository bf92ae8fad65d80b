package dev.newsclassifier.topology;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A record for the dead-letter topic, made the same way wherever a record is given up on (see
 * {@link DeadLetters}): the original headers plus the reason and source headers, and the original
 * value unless it is larger than the dead-letter topic holds. The key is the caller's: the original one.
 */
record DeadLetter(byte[] value, Headers headers) {

    /** Where the record was read. */
    record Source(String topic, int partition, long offset) {
    }

    /**
     * @param source where the record was read, or null where that is not known (an article buffered by a
     *     version that did not keep it); the source headers are then left out
     */
    static DeadLetter of(Headers original, byte[] value, String reason, String detail, Source source,
            int maxPayloadBytes) {
        Headers headers = new RecordHeaders(original.toArray());
        set(headers, DeadLetters.REASON, reason);
        set(headers, DeadLetters.DETAIL, detail);
        if (source != null) {
            set(headers, DeadLetters.SOURCE_TOPIC, source.topic());
            set(headers, DeadLetters.SOURCE_PARTITION, Integer.toString(source.partition()));
            set(headers, DeadLetters.SOURCE_OFFSET, Long.toString(source.offset()));
        }
        DeadLetter letter = new DeadLetter(value, headers);
        // A dead letter the topic refuses would fail the stream thread on every retry of this record.
        return value != null && value.length > maxPayloadBytes ? letter.withoutValue(value.length) : letter;
    }

    /** This dead letter without its value, which had {@code size} bytes; the source headers say where to read it. */
    DeadLetter withoutValue(int size) {
        Headers without = new RecordHeaders(headers.toArray());
        set(without, DeadLetters.PAYLOAD_DROPPED, Integer.toString(size));
        return new DeadLetter(null, without);
    }

    private static void set(Headers headers, String key, String value) {
        headers.remove(key);
        headers.add(key, String.valueOf(value).getBytes(StandardCharsets.UTF_8));
    }
}
