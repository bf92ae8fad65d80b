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
 * Buffers a task's accepted articles for its stream thread's micro-batch ({@link ThreadBatcher}) and forwards their
 * labels.
 *
 * <p>The buffer is a changelogged state store keyed by an increasing sequence number: under exactly-once, the input
 * offsets of buffered articles are committed with the store's changelog writes, so after a crash the restored store
 * still holds every article whose offset was committed and no article is lost. The thread's batcher classifies
 * articles of all its tasks together; this task forwards the verdicts of its own articles and deletes them from its
 * store on its own turn (a record, or its wall-clock check), which is where Kafka Streams lets a task write.
 *
 * <p>An article the model fails on ({@link BatchInference} finds it) is forwarded as a dead letter of its input
 * record, in the same call as its batch's labeled articles and so in the same transaction. When the runtime itself
 * is failing, nothing is forwarded and the batch stays buffered.
 */
final class MicroBatchProcessor implements Processor<byte[], IntakeResult, String, BatchResult>, ThreadBatcher.Member {

    /**
     * Wall-clock checks fire from the stream thread's loop, at most once per pass over its tasks, so a 1 ms period
     * means "at every pass": the batcher sees when input stops arriving within one poll's wait.
     */
    static final Duration CHECK_PERIOD = Duration.ofMillis(1);

    private static final Logger LOG = Logger.getLogger(MicroBatchProcessor.class);

    private final String storeName;
    private final ThreadBatchers batchers;
    private final PipelineMetrics metrics;
    private final int maxDeadLetterPayloadBytes;
    private final List<ThreadBatcher.Verdicts> ready = new ArrayList<>();
    private ProcessorContext<String, BatchResult> context;
    private KeyValueStore<Long, BufferedArticle> buffer;
    private ThreadBatcher batcher;
    private long nextSequence;
    private int buffered;

    MicroBatchProcessor(String storeName, ThreadBatchers batchers, PipelineMetrics metrics,
            int maxDeadLetterPayloadBytes) {
        this.storeName = storeName;
        this.batchers = batchers;
        this.metrics = metrics;
        this.maxDeadLetterPayloadBytes = maxDeadLetterPayloadBytes;
    }

    @Override
    public void init(ProcessorContext<String, BatchResult> context) {
        this.context = context;
        this.buffer = context.getStateStore(storeName);
        this.batcher = batchers.current();
        batcher.join(this);
        try (KeyValueIterator<Long, BufferedArticle> restored = buffer.all()) {
            while (restored.hasNext()) {
                KeyValue<Long, BufferedArticle> entry = restored.next();
                nextSequence = Math.max(nextSequence, entry.key + 1);
                buffered++;
                batcher.restored(this, entry.key, entry.value);
            }
        }
        metrics.bufferedChanged(buffered);
        context.schedule(CHECK_PERIOD, PunctuationType.WALL_CLOCK_TIME, this::check);
    }

    @Override
    public void process(Record<byte[], IntakeResult> record) {
        long now = context.currentSystemTimeMs();
        long sequence = nextSequence++;
        BufferedArticle article = BufferedArticles.buffer(record, context.recordMetadata().orElse(null), now,
                maxDeadLetterPayloadBytes);
        buffer.put(sequence, article);
        buffered++;
        metrics.bufferedChanged(1);
        batcher.arrived(this, sequence, article, now);
        forwardReady();
    }

    private void check(long now) {
        batcher.check(this, now);
        forwardReady();
    }

    @Override
    public void accept(ThreadBatcher.Verdicts verdicts) {
        ready.add(verdicts);
    }

    /** Forwards the verdicts the thread's batches gave this task's articles, then deletes those articles. */
    private void forwardReady() {
        for (ThreadBatcher.Verdicts verdicts : ready) {
            forward(verdicts);
        }
        ready.clear();
    }

    private void forward(ThreadBatcher.Verdicts batch) {
        long classifiedAt = context.currentSystemTimeMs();
        List<ThreadBatcher.Verdict> labeled = new ArrayList<>(batch.verdicts().size());
        List<ClassifiedArticle> labels = new ArrayList<>(batch.verdicts().size());
        for (ThreadBatcher.Verdict verdict : batch.verdicts()) {
            BufferedArticle article = verdict.article();
            if (verdict.verdict().isPoison()) {
                metrics.deadLettered(DeadLetters.INFERENCE_FAILED);
                LOG.warnf("Dead-lettering article %s: the model fails on it alone (%s)", article.getKey(),
                        verdict.verdict().detail());
                context.forward(BufferedArticles.deadLetter(article, verdict.verdict().detail(),
                        maxDeadLetterPayloadBytes));
                continue;
            }
            ClassifiedArticle label = BufferedArticles.label(article, verdict.verdict().classification(), batch.model(),
                    classifiedAt);
            if (!verdict.topWords().isEmpty()) {
                label.setTopWords(verdict.topWords());
            }
            metrics.articleClassified(article.getTimestamp(), classifiedAt, label.getTruncated());
            context.forward(new Record<>(article.getKey(), BatchResult.labeled(label), article.getTimestamp(),
                    BufferedArticles.headers(article)));
            labeled.add(verdict);
            labels.add(label);
        }
        forwardShadowLabels(labeled, labels, batch.shadowModel());
        for (ThreadBatcher.Verdict verdict : batch.verdicts()) {
            buffer.delete(verdict.sequence());
        }
        buffered -= batch.verdicts().size();
        metrics.bufferedChanged(-batch.verdicts().size());
    }

    /** The shadow model's label of each labeled article, in the same transaction, with the input's headers. */
    private void forwardShadowLabels(List<ThreadBatcher.Verdict> labeled, List<ClassifiedArticle> primaryLabels,
            ModelConfig shadowModel) {
        long classifiedAt = context.currentSystemTimeMs();
        for (int i = 0; i < labeled.size(); i++) {
            ThreadBatcher.Verdict verdict = labeled.get(i);
            if (verdict.shadowLabel() == null) {
                continue;
            }
            BufferedArticle article = verdict.article();
            ClassifiedArticle label = BufferedArticles.label(article, verdict.shadowLabel(), shadowModel, classifiedAt);
            metrics.shadowCompared(label.getLabel().equals(primaryLabels.get(i).getLabel()));
            context.forward(new Record<>(article.getKey(), BatchResult.shadow(label), article.getTimestamp(),
                    BufferedArticles.headers(article)));
        }
    }

    /**
     * The task moves away or shuts down: its articles leave the thread's batch, verdicts not yet forwarded are
     * dropped, and its buffer stays in the changelog for whoever restores it.
     */
    @Override
    public void close() {
        if (batcher != null) {
            batcher.leave(this);
        }
        ready.clear();
        metrics.bufferedChanged(-buffered);
        buffered = 0;
    }
}
