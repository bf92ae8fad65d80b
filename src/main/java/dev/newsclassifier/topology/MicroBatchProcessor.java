package dev.newsclassifier.topology;

import dev.newsclassifier.avro.BufferedArticle;
import dev.newsclassifier.avro.BufferedHeader;
import dev.newsclassifier.avro.ClassifiedArticle;
import dev.newsclassifier.avro.NewsArticle;
import dev.newsclassifier.inference.Classification;
import dev.newsclassifier.inference.Classifier;
import dev.newsclassifier.inference.ModelConfig;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Collects accepted articles into micro-batches and classifies each batch with one model call.
 *
 * <p>The buffer is a changelogged state store keyed by an increasing sequence number, not a
 * list: under exactly-once, the input offsets of buffered articles are committed with the
 * store's changelog writes, so after a crash the restored store still holds every article
 * whose offset was committed and no article is lost. A batch is classified when it reaches
 * {@code maxSize} articles, or by a wall-clock punctuator once its oldest article has waited
 * {@code maxDelay}; a slow trickle of news is thus never held back for long.
 */
final class MicroBatchProcessor implements Processor<byte[], IntakeResult, String, ClassifiedArticle> {

    private final String storeName;
    private final Classifier classifier;
    private final PipelineMetrics metrics;
    private final int maxSize;
    private final long maxDelayMs;
    private ProcessorContext<String, ClassifiedArticle> context;
    private KeyValueStore<Long, BufferedArticle> buffer;
    private long nextSequence;
    private int buffered;
    private long oldestBufferedAt = Long.MAX_VALUE;

    MicroBatchProcessor(String storeName, Classifier classifier, PipelineMetrics metrics, int maxSize, Duration maxDelay) {
        this.storeName = storeName;
        this.classifier = classifier;
        this.metrics = metrics;
        this.maxSize = maxSize;
        this.maxDelayMs = maxDelay.toMillis();
    }

    @Override
    public void init(ProcessorContext<String, ClassifiedArticle> context) {
        this.context = context;
        this.buffer = context.getStateStore(storeName);
        try (KeyValueIterator<Long, BufferedArticle> restored = buffer.all()) {
            while (restored.hasNext()) {
                KeyValue<Long, BufferedArticle> entry = restored.next();
                nextSequence = Math.max(nextSequence, entry.key + 1);
                buffered++;
                oldestBufferedAt = Math.min(oldestBufferedAt, entry.value.getBufferedAt());
            }
        }
        metrics.bufferedChanged(buffered);
        // Checking at a quarter of max-delay bounds how far past its deadline a batch can wait.
        Duration tick = Duration.ofMillis(Math.max(1, maxDelayMs / 4));
        context.schedule(tick, PunctuationType.WALL_CLOCK_TIME, this::flushIfDue);
    }

    @Override
    public void process(Record<byte[], IntakeResult> record) {
        ArticleIntake.Accepted accepted = record.value().accepted();
        long now = context.currentSystemTimeMs();
        buffer.put(nextSequence++, BufferedArticle.newBuilder()
                .setKey(accepted.key())
                .setArticle(accepted.article())
                .setText(accepted.text())
                .setTruncated(accepted.truncated())
                .setTimestamp(record.timestamp())
                .setBufferedAt(now)
                .setHeaders(copyHeaders(record.headers()))
                .build());
        buffered++;
        metrics.bufferedChanged(1);
        oldestBufferedAt = Math.min(oldestBufferedAt, now);
        if (buffered >= maxSize) {
            flush();
        }
    }

    private void flushIfDue(long now) {
        if (buffered > 0 && now - oldestBufferedAt >= maxDelayMs) {
            flush();
        }
    }

    private void flush() {
        List<KeyValue<Long, BufferedArticle>> batch = new ArrayList<>(buffered);
        try (KeyValueIterator<Long, BufferedArticle> entries = buffer.all()) {
            entries.forEachRemaining(batch::add);
        }
        List<String> texts = batch.stream().map(entry -> entry.value.getText()).toList();
        long started = System.nanoTime();
        List<Classification> results;
        metrics.inferenceStarted();
        try {
            results = classifier.classify(texts);
        } finally {
            metrics.inferenceFinished();
        }
        metrics.batchClassified(batch.size(), System.nanoTime() - started);
        long classifiedAt = context.currentSystemTimeMs();
        ModelConfig model = classifier.model();
        for (int i = 0; i < batch.size(); i++) {
            BufferedArticle article = batch.get(i).value;
            ClassifiedArticle labeled = label(article, results.get(i), model, classifiedAt);
            metrics.articleClassified(article.getTimestamp(), classifiedAt, labeled.getTruncated());
            context.forward(new Record<>(article.getKey(), labeled, article.getTimestamp(), restoreHeaders(article)));
        }
        for (KeyValue<Long, BufferedArticle> entry : batch) {
            buffer.delete(entry.key);
        }
        metrics.bufferedChanged(-buffered);
        buffered = 0;
        oldestBufferedAt = Long.MAX_VALUE;
    }

    /** The task moves away or shuts down; its buffer stays in the changelog for whoever restores it. */
    @Override
    public void close() {
        metrics.bufferedChanged(-buffered);
        buffered = 0;
    }

    private static ClassifiedArticle label(BufferedArticle buffered, Classification result, ModelConfig model,
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

    private static List<BufferedHeader> copyHeaders(Headers headers) {
        List<BufferedHeader> copy = new ArrayList<>();
        for (Header header : headers) {
            copy.add(new BufferedHeader(header.key(), header.value() == null ? null : ByteBuffer.wrap(header.value())));
        }
        return copy;
    }

    private static Headers restoreHeaders(BufferedArticle article) {
        RecordHeaders headers = new RecordHeaders();
        for (BufferedHeader header : article.getHeaders()) {
            ByteBuffer value = header.getValue();
            byte[] bytes = null;
            if (value != null) {
                bytes = new byte[value.remaining()];
                value.duplicate().get(bytes);
            }
            headers.add(header.getKey(), bytes);
        }
        return headers;
    }
}
