package dev.newsclassifier.topology;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pipeline's meters, published by the service at {@code /q/metrics}: articles in, out and
 * dead-lettered (by reason), batch sizes, inference time per batch, and end-to-end latency from
 * the article's record timestamp to its classification. Three counters follow what
 * {@link BatchInference} does when the model fails: batches retried, failing batches split, and
 * batches given up on because the runtime failed on every article; articles found to be poison are
 * counted as dead-lettered with reason {@code INFERENCE_FAILED}. Two gauges show what a crash would
 * interrupt right now: articles waiting in batch buffers and batches inside the model; the
 * fault suite kills the service when they are non-zero.
 */
public final class PipelineMetrics {

    private final MeterRegistry registry;
    private final Counter received;
    private final Counter classified;
    private final Counter truncated;
    private final DistributionSummary batchSize;
    private final Timer inference;
    private final Timer endToEnd;
    private final Counter retries;
    private final Counter splits;
    private final Counter runtimeFailures;
    private final Counter needsReview;
    private final Timer shadowInference;
    private final Timer explained;
    private final Timer queueDelay;
    private final Counter shadowFailures;
    private final AtomicInteger buffered = new AtomicInteger();
    private final AtomicInteger inferring = new AtomicInteger();

    public PipelineMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.received = Counter.builder("news.articles.received")
                .description("Raw records read from the input topic").register(registry);
        this.classified = Counter.builder("news.articles.classified")
                .description("Labeled articles written to the output topic").register(registry);
        this.truncated = Counter.builder("news.articles.truncated")
                .description("Classified articles whose text was cut to the length limits").register(registry);
        this.batchSize = DistributionSummary.builder("news.batch.size")
                .description("Articles per successful model call; the halves of a batch split on failure count on their own")
                .publishPercentileHistogram()
                .minimumExpectedValue(1.0).maximumExpectedValue(1024.0).register(registry);
        this.inference = Timer.builder("news.inference.duration")
                .description("Tokenization and model time per batch").publishPercentileHistogram().register(registry);
        this.endToEnd = Timer.builder("news.latency.end-to-end")
                .description("From the input record's timestamp to the article's classification")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(5)).register(registry);
        this.retries = Counter.builder("news.inference.retries")
                .description("Batches classified a second time after the model failed on them").register(registry);
        this.splits = Counter.builder("news.inference.splits")
                .description("Failing batches split in halves to find the articles the model fails on").register(registry);
        this.needsReview = Counter.builder("news.articles.needs-review")
                .description("Labeled articles the model was unsure of by the news.review settings").register(registry);
        this.runtimeFailures = Counter.builder("news.inference.runtime-failures")
                .description("Batches the model failed on article by article: the runtime failing, not the articles")
                .register(registry);
        this.shadowInference = Timer.builder("news.shadow.inference.duration")
                .description("Time the shadow model takes per batch, after the primary").register(registry);
        this.explained = Timer.builder("news.explain.duration")
                .description("Time to find the words that decided one article's label (news.explain.top-words)")
                .register(registry);
        this.queueDelay = Timer.builder("news.batch.queue-delay")
                .description("Time an article waited in its thread's batch before the model call that took it")
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
        this.shadowFailures = Counter.builder("news.shadow.failures")
                .description("Batches the shadow model failed on; they went on without shadow labels").register(registry);
        Gauge.builder("news.batch.buffered", buffered, AtomicInteger::get)
                .description("Articles waiting in this instance's batch buffers").register(registry);
        Gauge.builder("news.inference.active", inferring, AtomicInteger::get)
                .description("Batches being classified right now").register(registry);
    }

    void bufferedChanged(int delta) {
        buffered.addAndGet(delta);
    }

    void inferenceStarted() {
        inferring.incrementAndGet();
    }

    void inferenceFinished() {
        inferring.decrementAndGet();
    }

    void articleReceived() {
        received.increment();
    }

    void deadLettered(String reason) {
        Counter.builder("news.articles.dead-lettered").description("Records sent to the dead-letter topic")
                .tag("reason", reason).register(registry).increment();
    }

    void batchClassified(int size, long inferenceNanos) {
        batchSize.record(size);
        inference.record(Duration.ofNanos(inferenceNanos));
        classified.increment(size);
    }

    void articleQueued(long waitedMs) {
        queueDelay.record(Duration.ofMillis(Math.max(0, waitedMs)));
    }

    void inferenceRetried() {
        retries.increment();
    }

    void batchSplit() {
        splits.increment();
    }

    void articleNeedsReview() {
        needsReview.increment();
    }

    void shadowBatchClassified(long nanos) {
        shadowInference.record(Duration.ofNanos(nanos));
    }

    void articleExplained(long nanos) {
        explained.record(Duration.ofNanos(nanos));
    }

    void shadowFailed() {
        shadowFailures.increment();
    }

    /** One article labeled by both models: whether the shadow chose the primary's label. */
    void shadowCompared(boolean agreed) {
        Counter.builder("news.shadow.articles").description("Articles the shadow model labeled, by agreement with the primary")
                .tag("agreement", agreed ? "agree" : "disagree").register(registry).increment();
    }

    void runtimeFailed() {
        runtimeFailures.increment();
    }

    void articleClassified(long eventTimestamp, long classifiedAt, boolean wasTruncated) {
        endToEnd.record(Duration.ofMillis(Math.max(0, classifiedAt - eventTimestamp)));
        if (wasTruncated) {
            truncated.increment();
        }
    }
}
