package dev.newsclassifier.feedback;

import dev.newsclassifier.avro.ArticleFeedback;
import dev.newsclassifier.avro.FeedbackJoinEvent;
import dev.newsclassifier.avro.Prediction;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Joins predictions and true labels by article id, in either order. A prediction waits for its true label in a
 * window store that forgets it after the retention; a true label that comes first waits for its prediction in a
 * key-value store, and is dropped as {@code UNKNOWN_ID} once the retention has passed. Each joined pair enters the
 * task's window of the last {@code windowSize} judged articles, a store as well, so the live figures survive a
 * restart and follow the task when it moves. Every store is changelogged and written in the task's transaction, so
 * each true label counts exactly once.
 */
final class FeedbackJoinProcessor implements Processor<String, FeedbackJoinEvent, Void, Void> {

    static final String PREDICTIONS = "feedback-predictions";
    static final String WAITING = "feedback-waiting";
    static final String WINDOW = "feedback-window";

    private final FeedbackSettings settings;
    private final FeedbackMetrics metrics;
    private final Supplier<List<String>> labels;
    private ProcessorContext<Void, Void> context;
    private WindowStore<String, FeedbackJoinEvent> predictions;
    private KeyValueStore<String, FeedbackJoinEvent> waiting;
    private KeyValueStore<Long, FeedbackJoinEvent> window;
    private String task;
    private long nextSequence;
    private long oldestSequence;

    FeedbackJoinProcessor(FeedbackSettings settings, FeedbackMetrics metrics, Supplier<List<String>> labels) {
        this.settings = settings;
        this.metrics = metrics;
        this.labels = labels;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.predictions = context.getStateStore(PREDICTIONS);
        this.waiting = context.getStateStore(WAITING);
        this.window = context.getStateStore(WINDOW);
        this.task = context.taskId().toString();
        oldestSequence = Long.MAX_VALUE;
        try (KeyValueIterator<Long, FeedbackJoinEvent> judged = window.all()) {
            while (judged.hasNext()) {
                KeyValue<Long, FeedbackJoinEvent> entry = judged.next();
                nextSequence = Math.max(nextSequence, entry.key + 1);
                oldestSequence = Math.min(oldestSequence, entry.key);
                count(entry.value, 1);
            }
        }
        oldestSequence = Math.min(oldestSequence, nextSequence);
        Duration tick = Duration.ofMillis(Math.max(1_000, Math.min(60_000, settings.retention().toMillis() / 10)));
        context.schedule(tick, PunctuationType.WALL_CLOCK_TIME, this::dropExpiredWaiting);
    }

    @Override
    public void process(Record<String, FeedbackJoinEvent> record) {
        FeedbackJoinEvent event = record.value();
        if (event == null) {
            return;
        }
        if (event.getPrediction() != null) {
            predicted(event);
        } else if (event.getFeedback() != null) {
            trueLabel(event);
        }
    }

    private void predicted(FeedbackJoinEvent event) {
        Prediction prediction = event.getPrediction();
        metrics.predicted(prediction.getLabel(), prediction.getConfidence());
        FeedbackJoinEvent early = waiting.delete(event.getId());
        if (early != null) {
            judge(event.getId(), prediction, early.getFeedback());
        }
        predictions.put(event.getId(), FeedbackJoinEvent.newBuilder(event).setJudged(early != null).build(),
                prediction.getClassifiedAt());
    }

    private void trueLabel(FeedbackJoinEvent event) {
        ArticleFeedback feedback = event.getFeedback();
        if (!labels.get().contains(feedback.getLabel())) {
            metrics.outcome(FeedbackMetrics.Outcome.UNKNOWN_LABEL);
            return;
        }
        KeyValue<Long, FeedbackJoinEvent> stored = latestPrediction(event.getId());
        if (stored == null) {
            if (waiting.get(event.getId()) != null) {
                metrics.outcome(FeedbackMetrics.Outcome.DUPLICATE);
                return;
            }
            waiting.put(event.getId(), FeedbackJoinEvent.newBuilder(event)
                    .setReceivedAt(context.currentSystemTimeMs()).build());
            metrics.outcome(FeedbackMetrics.Outcome.WAITING);
            return;
        }
        if (stored.value.getJudged()) {
            metrics.outcome(FeedbackMetrics.Outcome.DUPLICATE);
            return;
        }
        judge(event.getId(), stored.value.getPrediction(), feedback);
        predictions.put(event.getId(), FeedbackJoinEvent.newBuilder(stored.value).setJudged(true).build(), stored.key);
    }

    private KeyValue<Long, FeedbackJoinEvent> latestPrediction(String id) {
        KeyValue<Long, FeedbackJoinEvent> latest = null;
        try (WindowStoreIterator<FeedbackJoinEvent> found = predictions.backwardFetch(id, Instant.EPOCH,
                Instant.ofEpochMilli(Long.MAX_VALUE))) {
            if (found.hasNext()) {
                latest = found.next();
            }
        }
        return latest;
    }

    private void judge(String id, Prediction prediction, ArticleFeedback feedback) {
        FeedbackJoinEvent judged = FeedbackJoinEvent.newBuilder().setId(id).setPrediction(prediction)
                .setFeedback(feedback).setJudged(true).setReceivedAt(context.currentSystemTimeMs()).build();
        window.put(nextSequence++, judged);
        count(judged, 1);
        while (nextSequence - oldestSequence > settings.windowSize()) {
            FeedbackJoinEvent evicted = window.delete(oldestSequence++);
            if (evicted != null) {
                count(evicted, -1);
            }
        }
        metrics.outcome(FeedbackMetrics.Outcome.MATCHED);
    }

    private void count(FeedbackJoinEvent judged, int delta) {
        metrics.judged(task, judged.getFeedback().getLabel(), judged.getPrediction().getLabel(),
                judged.getPrediction().getConfidence(), delta);
    }

    private void dropExpiredWaiting(long now) {
        long cutoff = now - settings.retention().toMillis();
        List<String> expired = new ArrayList<>();
        try (KeyValueIterator<String, FeedbackJoinEvent> all = waiting.all()) {
            all.forEachRemaining(entry -> {
                if (entry.value.getReceivedAt() < cutoff) {
                    expired.add(entry.key);
                }
            });
        }
        for (String id : expired) {
            waiting.delete(id);
            metrics.outcome(FeedbackMetrics.Outcome.UNKNOWN_ID);
        }
    }

    @Override
    public void close() {
        metrics.taskClosed(task);
    }
}
