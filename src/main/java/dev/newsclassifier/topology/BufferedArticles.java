package dev.newsclassifier.topology;

import dev.newsclassifier.avro.BufferedArticle;
import dev.newsclassifier.avro.BufferedHeader;
import dev.newsclassifier.avro.BufferedSource;
import dev.newsclassifier.avro.ClassifiedArticle;
import dev.newsclassifier.avro.NewsArticle;
import dev.newsclassifier.inference.Classification;
import dev.newsclassifier.inference.ModelConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** What an accepted article becomes in the batch buffer, and what it becomes once its batch is classified. */
final class BufferedArticles {

    private BufferedArticles() {
    }

    /**
     * The article as buffered, with the input record it came from. Its original value is kept only when twice its
     * size fits {@code maxDeadLetterPayloadBytes}: the buffered record holds the article twice, decoded and raw, and
     * must stay as far below the producer's request limit as a dead letter does.
     *
     * @param source where the record was read; null keeps no source (only a processor tested alone has none)
     */
    static BufferedArticle buffer(Record<byte[], IntakeResult> record, RecordMetadata source, long bufferedAt,
            int maxDeadLetterPayloadBytes) {
        ArticleIntake.Accepted accepted = record.value().accepted();
        BufferedArticle.Builder article = BufferedArticle.newBuilder()
                .setKey(accepted.key())
                .setArticle(accepted.article())
                .setText(accepted.text())
                .setTruncated(accepted.truncated())
                .setTimestamp(record.timestamp())
                .setBufferedAt(bufferedAt)
                .setHeaders(copyHeaders(record.headers()));
        if (source != null) {
            byte[] value = record.value().value();
            int size = value == null ? 0 : value.length;
            article.setSource(BufferedSource.newBuilder()
                    .setTopic(source.topic())
                    .setPartition(source.partition())
                    .setOffset(source.offset())
                    .setKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
                    .setValue(value != null && 2L * size <= maxDeadLetterPayloadBytes ? ByteBuffer.wrap(value) : null)
                    .setValueSize(size)
                    .build());
        }
        return article.build();
    }

    static ClassifiedArticle label(BufferedArticle buffered, Classification result, ModelConfig model,
            long classifiedAt) {
        NewsArticle article = buffered.getArticle();
        Map<String, Float> scores = new LinkedHashMap<>();
        for (int i = 0; i < model.numLabels(); i++) {
            scores.put(model.label(i), result.probabilities()[i]);
        }
        return ClassifiedArticle.newBuilder()
                .setId(article.getId())
                .setTitle(article.getTitle())
                .setDescription(article.getDescription())
                .setSource(article.getSource())
                .setUrl(article.getUrl())
                .setPublishedAt(article.getPublishedAt())
                .setLanguage(article.getLanguage())
                .setLabel(model.label(result.labelIndex()))
                .setLabelIndex(result.labelIndex())
                .setConfidence(result.confidence())
                .setScores(scores)
                .setTruncated(buffered.getTruncated() || result.truncated())
                .setModelName(model.name())
                .setModelVersion(model.version())
                .setClassifiedAt(Instant.ofEpochMilli(classifiedAt))
                .setAttributes(article.getAttributes())
                .build();
    }

    /**
     * The input record of an article the model fails on, as a dead letter with reason {@code INFERENCE_FAILED}. An
     * article buffered by a version that kept no source goes without value and source headers, keyed by its id: the
     * only handle left on it.
     */
    static Record<String, BatchResult> deadLetter(BufferedArticle article, String detail,
            int maxDeadLetterPayloadBytes) {
        BufferedSource source = article.getSource();
        Headers headers = headers(article);
        if (source == null) {
            DeadLetter letter = DeadLetter.of(headers, null, DeadLetters.INFERENCE_FAILED, detail, null,
                    maxDeadLetterPayloadBytes);
            return record(article, article.getKey().getBytes(StandardCharsets.UTF_8), letter);
        }
        byte[] value = bytes(source.getValue());
        DeadLetter letter = DeadLetter.of(headers, value, DeadLetters.INFERENCE_FAILED, detail,
                new DeadLetter.Source(source.getTopic(), source.getPartition(), source.getOffset()),
                maxDeadLetterPayloadBytes);
        if (value == null && source.getValueSize() > 0) {
            letter = letter.withoutValue(source.getValueSize());
        }
        return record(article, bytes(source.getKey()), letter);
    }

    private static Record<String, BatchResult> record(BufferedArticle article, byte[] key, DeadLetter letter) {
        return new Record<>(article.getKey(), BatchResult.deadLetter(key, letter.value()), article.getTimestamp(),
                letter.headers());
    }

    /** The input record's headers, in order, as received. */
    static Headers headers(BufferedArticle article) {
        RecordHeaders headers = new RecordHeaders();
        for (BufferedHeader header : article.getHeaders()) {
            headers.add(header.getKey(), bytes(header.getValue()));
        }
        return headers;
    }

    private static List<BufferedHeader> copyHeaders(Headers headers) {
        List<BufferedHeader> copy = new ArrayList<>();
        for (Header header : headers) {
            copy.add(new BufferedHeader(header.key(), header.value() == null ? null : ByteBuffer.wrap(header.value())));
        }
        return copy;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
