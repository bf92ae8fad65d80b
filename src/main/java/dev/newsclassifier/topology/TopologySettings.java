package dev.newsclassifier.topology;

import java.time.Duration;
import java.util.Optional;

/**
 * What the topology needs from configuration.
 *
 * @param rawTopic topic of incoming {@code NewsArticle} records
 * @param labeledTopic topic the {@code ClassifiedArticle} records go to
 * @param deadLetterTopic topic rejected records go to, with their original bytes
 * @param batchMaxSize a batch is classified as soon as it holds this many articles
 * @param batchMaxDelay ... or once its oldest article has waited this long
 * @param maxTextChars longer texts are cut to this many characters (and flagged) before tokenizing
 * @param maxRecordBytes larger records are dead-lettered without being decoded
 * @param maxDeadLetterPayloadBytes a dead letter whose value is larger goes without it (see {@link DeadLetters#PAYLOAD_DROPPED})
 * @param bufferStore where the batch buffer lives
 * @param review when a labeled article needs review ({@code needs_review})
 * @param reviewTopic where a copy of each such article goes, if anywhere
 * @param shadowTopic where a shadow model's labels go, when one is running; without it no shadow can run
 * @param explain which labeled articles carry the words that decided them
 */
public record TopologySettings(String rawTopic, String labeledTopic, String deadLetterTopic, int batchMaxSize,
        Duration batchMaxDelay, int maxTextChars, int maxRecordBytes, int maxDeadLetterPayloadBytes,
        BufferStoreKind bufferStore, ReviewPolicy review, Optional<String> reviewTopic, Optional<String> shadowTopic,
        ExplainPolicy explain) {

    /** Settings that explain no article. */
    public TopologySettings(String rawTopic, String labeledTopic, String deadLetterTopic, int batchMaxSize,
            Duration batchMaxDelay, int maxTextChars, int maxRecordBytes, int maxDeadLetterPayloadBytes,
            BufferStoreKind bufferStore, ReviewPolicy review, Optional<String> reviewTopic,
            Optional<String> shadowTopic) {
        this(rawTopic, labeledTopic, deadLetterTopic, batchMaxSize, batchMaxDelay, maxTextChars, maxRecordBytes,
                maxDeadLetterPayloadBytes, bufferStore, review, reviewTopic, shadowTopic, ExplainPolicy.OFF);
    }

    /** Settings without a shadow topic. */
    public TopologySettings(String rawTopic, String labeledTopic, String deadLetterTopic, int batchMaxSize,
            Duration batchMaxDelay, int maxTextChars, int maxRecordBytes, int maxDeadLetterPayloadBytes,
            BufferStoreKind bufferStore, ReviewPolicy review, Optional<String> reviewTopic) {
        this(rawTopic, labeledTopic, deadLetterTopic, batchMaxSize, batchMaxDelay, maxTextChars, maxRecordBytes,
                maxDeadLetterPayloadBytes, bufferStore, review, reviewTopic, Optional.empty());
    }

    public TopologySettings {
        if (batchMaxSize < 1) {
            throw new IllegalArgumentException("batch max-size must be at least 1, got " + batchMaxSize);
        }
        if (batchMaxDelay.isNegative() || batchMaxDelay.isZero()) {
            throw new IllegalArgumentException("batch max-delay must be positive, got " + batchMaxDelay);
        }
        if (maxTextChars < 1 || maxRecordBytes < 1 || maxDeadLetterPayloadBytes < 1) {
            throw new IllegalArgumentException("text and record limits must be positive");
        }
        if (explain.mode() == ExplainPolicy.Mode.NEEDS_REVIEW && !review.isOn()) {
            throw new IllegalArgumentException("news.explain.top-words.mode is needs-review, but review routing is "
                    + "off (news.review.*): no article would be explained");
        }
        if (reviewTopic.isPresent() && !review.isOn()) {
            throw new IllegalArgumentException("news.topics.review is set, but neither news.review.min-confidence nor "
                    + "news.review.min-margin: no article would ever go to " + reviewTopic.get());
        }
    }
}
