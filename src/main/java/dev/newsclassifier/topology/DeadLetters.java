package dev.newsclassifier.topology;

/**
 * The dead-letter contract: a rejected record keeps its original key, value and headers, and
 * gains these headers (UTF-8 strings) saying why and where it came from, so it can be inspected
 * and replayed after a fix.
 */
public final class DeadLetters {

    public static final String REASON = "dead-letter.reason";
    public static final String DETAIL = "dead-letter.detail";
    public static final String SOURCE_TOPIC = "dead-letter.source-topic";
    public static final String SOURCE_PARTITION = "dead-letter.source-partition";
    public static final String SOURCE_OFFSET = "dead-letter.source-offset";
    /**
     * Set, to the original value's size in bytes, on a dead letter that goes without its value because the value
     * is larger than the dead-letter topic is configured to hold; the source headers say where to find it.
     */
    public static final String PAYLOAD_DROPPED = "dead-letter.payload-dropped";

    /** Reasons decided by validation; decoding failures bring their own (see {@link ArticleDecoder}). */
    public static final String NULL_VALUE = "NULL_VALUE";
    public static final String RECORD_TOO_LARGE = "RECORD_TOO_LARGE";
    public static final String MISSING_ID = "MISSING_ID";
    public static final String EMPTY_TEXT = "EMPTY_TEXT";
    /**
     * The model failed on the article alone, after its batch failed twice and was split down to it, while other
     * articles classified (see {@link BatchInference}); the detail is the runtime's message.
     */
    public static final String INFERENCE_FAILED = "INFERENCE_FAILED";

    private DeadLetters() {
    }
}
