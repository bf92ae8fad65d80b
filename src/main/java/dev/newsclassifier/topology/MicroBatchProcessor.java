package dev.newsclassifier.topology;

import dev.newsclassifier.avro.BufferedArticle;
import dev.newsclassifier.avro.ClassifiedArticle;
import dev.newsclassifier.inference.ModelConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

/**
 * Collects accepted articles into micro-batches and classifies each batch with one model call.
 *
 * <p>The buffer is a changelogged state store keyed by an increasing sequence number, not a
 * list: under exactly-once, the input offsets of buffered articles are committed with the
 * store's changelog writes, so after a crash the restored store still holds every article
 * whose offset was committed and no article is lost. A batch is classified when it reaches
 * {@code maxSize} articles, or by a wall-clock punctuator once its oldest article has waited
 * {@code maxDelay}; a slow trickle of news is thus never held back for long.
 *
 * <p>An article the model fails on ({@link BatchInference} finds it) is forwarded as a dead letter
 * of its input record, in the same call as its batch's labeled articles and so in the same
 * transaction. When the runtime itself is failing, nothing is forwarded and the batch stays
 * buffered.
 */
final class MicroBatchProcessor implements Processor<byte[], IntakeResult, String, BatchResult> {

    private static final Logger LOG = Logger.getLogger(MicroBatchProcessor.class);

    private final String storeName;
    private final BatchInference inference;
    private final ShadowInference shadow;
    private final PipelineMetrics metrics;
    private final int maxSize;
    private final long maxDelayMs;
    private final int maxDeadLetterPayloadBytes;
    private ProcessorContext<String, BatchResult> context;
    private KeyValueStore<Long, BufferedArticle> buffer;
    private long nextSequence;
    private int buffered;
    private long oldestBufferedAt = Long.MAX_VALUE;

    MicroBatchProcessor(String storeName, BatchInference inference, ShadowInference shadow, PipelineMetrics metrics,
            int maxSize, Duration maxDelay, int maxDeadLetterPayloadBytes) {
        this.storeName = storeName;
        this.inference = inference;
        this.shadow = shadow;
        this.metrics = metrics;
        this.maxSize = maxSize;
        this.maxDelayMs = maxDelay.toMillis();
        this.maxDeadLetterPayloadBytes = maxDeadLetterPayloadBytes;
    }

    @Override
    public void init(ProcessorContext<String, BatchResult> context) {
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
        long now = context.currentSystemTimeMs();
        buffer.put(nextSequence++, BufferedArticles.buffer(record, context.recordMetadata().orElse(null), now,
                maxDeadLetterPayloadBytes));
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
        BatchInference.Outcome outcome = inference.classify(texts);
        List<BatchInference.Verdict> verdicts = outcome.verdicts();
        long classifiedAt = context.currentSystemTimeMs();
        ModelConfig model = outcome.model();
        List<BufferedArticle> labeledArticles = new ArrayList<>(batch.size());
        List<ClassifiedArticle> labels = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            BufferedArticle article = batch.get(i).value;
            BatchInference.Verdict verdict = verdicts.get(i);
            if (verdict.isPoison()) {
                metrics.deadLettered(DeadLetters.INFERENCE_FAILED);
                LOG.warnf("Dead-lettering article %s: the model fails on it alone (%s)", article.getKey(),
                        verdict.detail());
                context.forward(BufferedArticles.deadLetter(article, verdict.detail(), maxDeadLetterPayloadBytes));
                continue;
            }
            ClassifiedArticle labeled = BufferedArticles.label(article, verdict.classification(), model, classifiedAt);
            if (!outcome.topWords().get(i).isEmpty()) {
                labeled.setTopWords(outcome.topWords().get(i));
            }
            metrics.articleClassified(article.getTimestamp(), classifiedAt, labeled.getTruncated());
            context.forward(new Record<>(article.getKey(), BatchResult.labeled(labeled), article.getTimestamp(),
                    BufferedArticles.headers(article)));
            labeledArticles.add(article);
            labels.add(labeled);
        }
        forwardShadowLabels(labeledArticles, labels);
        for (KeyValue<Long, BufferedArticle> entry : batch) {
            buffer.delete(entry.key);
        }
        metrics.bufferedChanged(-buffered);
        buffered = 0;
        oldestBufferedAt = Long.MAX_VALUE;
    }

    /** The shadow model's label of each labeled article, in the same transaction, with the input's headers. */
    private void forwardShadowLabels(List<BufferedArticle> articles, List<ClassifiedArticle> primaryLabels) {
        shadow.classify(articles.stream().map(BufferedArticle::getText).toList()).ifPresent(shadowLabels -> {
            long classifiedAt = context.currentSystemTimeMs();
            for (int i = 0; i < articles.size(); i++) {
                BufferedArticle article = articles.get(i);
                ClassifiedArticle label = BufferedArticles.label(article, shadowLabels.classifications().get(i),
                        shadowLabels.model(), classifiedAt);
                metrics.shadowCompared(label.getLabel().equals(primaryLabels.get(i).getLabel()));
                context.forward(new Record<>(article.getKey(), BatchResult.shadow(label), article.getTimestamp(),
                        BufferedArticles.headers(article)));
            }
        });
    }

    /** The task moves away or shuts down; its buffer stays in the changelog for whoever restores it. */
    @Override
    public void close() {
        metrics.bufferedChanged(-buffered);
        buffered = 0;
    }
}
