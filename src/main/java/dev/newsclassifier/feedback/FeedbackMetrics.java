package dev.newsclassifier.feedback;

import dev.newsclassifier.evaluation.ConfusionMatrix;
import dev.newsclassifier.evaluation.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What the feedback join knows, as metrics of this instance. Each task keeps a window of its last judged articles
 * (restored from its store after a restart or a move); the gauges cover every task of the instance:
 * {@code news_feedback_window_articles}, {@code _accuracy}, {@code _macro_f1}, {@code _mean_confidence},
 * {@code _confusion{true_label,predicted_label}}, {@code _precision{label}} and {@code _recall{label}}. Counters add up
 * across instances: {@code news_feedback_total{outcome}} and {@code news_feedback_judged_total{true_label,predicted_label}}.
 * Drift, over the last predictions: {@code news_drift_label_psi}, {@code news_drift_confidence_psi},
 * {@code news_drift_label_share{label,of="recent"|"reference"}} and {@code news_drift_recent_mean_confidence}.
 */
public final class FeedbackMetrics {

    /** What became of a true label. */
    public enum Outcome {
        /** Joined with its prediction and counted in the live metrics. */
        MATCHED,
        /** Arrived before its prediction; waits for it (within the retention). */
        WAITING,
        /** A second true label for an article already judged; ignored. */
        DUPLICATE,
        /** A label the model does not know; ignored. */
        UNKNOWN_LABEL,
        /** No prediction for the id within the retention (an unknown id, or one too old); dropped. */
        UNKNOWN_ID,
        /** Not a readable ArticleFeedback record; skipped. */
        UNDECODABLE
    }

    private final MeterRegistry registry;
    private final Supplier<List<String>> labels;
    private final LabelDrift drift;
    private final Map<String, Map<List<String>, Long>> confusionByTask = new HashMap<>();
    private final Map<String, double[]> confidenceByTask = new HashMap<>();
    private final Set<List<String>> confusionGauges = new HashSet<>();
    private final Set<String> labelGauges = new HashSet<>();

    /**
     * @param labels the serving model's labels, in index order; they order the confusion matrix
     */
    public FeedbackMetrics(MeterRegistry registry, Supplier<List<String>> labels, int windowSize) {
        this.registry = registry;
        this.labels = labels;
        this.drift = new LabelDrift(windowSize);
        Gauge.builder("news.feedback.window.articles", this, m -> m.metrics().total())
                .description("Judged articles in the live window of this instance").register(registry);
        Gauge.builder("news.feedback.window.accuracy", this, m -> m.orNaN(m.metrics().accuracy()))
                .description("Accuracy over the live window: predictions against true labels from the feedback topic")
                .register(registry);
        Gauge.builder("news.feedback.window.macro-f1", this, m -> m.orNaN(m.metrics().macroF1()))
                .description("Macro-F1 over the live window").register(registry);
        Gauge.builder("news.feedback.window.mean-confidence", this, FeedbackMetrics::windowMeanConfidence)
                .description("Mean confidence of the judged predictions in the live window").register(registry);
        Gauge.builder("news.drift.label.psi", drift, LabelDrift::psi)
                .description("Population stability index of recent predicted labels against the model's test set")
                .register(registry);
        Gauge.builder("news.drift.confidence.psi", drift, LabelDrift::confidencePsi)
                .description("Population stability index of recent top probabilities, in tenths, against the model's "
                        + "test set").register(registry);
        Gauge.builder("news.drift.recent.mean-confidence", drift, LabelDrift::meanConfidence)
                .description("Mean confidence of the recent predictions").register(registry);
        for (Outcome outcome : Outcome.values()) {
            outcomeCounter(outcome);
        }
        labels.get().forEach(this::labelGauges);
    }

    /** The drift reference from the serving model's folder, when its {@code config.json} has test figures. */
    public void referenceFrom(Path modelDir) {
        drift.reference(LabelDrift.referenceOf(modelDir, labels.get()).orElse(Map.of()),
                LabelDrift.confidenceReferenceOf(modelDir));
    }

    void outcome(Outcome outcome) {
        outcomeCounter(outcome).increment();
    }

    void predicted(String label, float confidence) {
        labelGauges(label);
        drift.predicted(label, confidence);
    }

    /** Adds ({@code delta} 1) or removes (-1) a judged article in a task's window. */
    synchronized void judged(String task, String trueLabel, String predicted, float confidence, int delta) {
        List<String> pair = List.of(trueLabel, predicted);
        confusionByTask.computeIfAbsent(task, t -> new HashMap<>()).merge(pair, (long) delta, Long::sum);
        double[] sumAndCount = confidenceByTask.computeIfAbsent(task, t -> new double[2]);
        sumAndCount[0] += delta * confidence;
        sumAndCount[1] += delta;
        if (delta > 0) {
            Counter.builder("news.feedback.judged").description("True labels joined with their predictions")
                    .tag("true_label", trueLabel).tag("predicted_label", predicted).register(registry).increment();
        }
        if (confusionGauges.add(pair)) {
            Gauge.builder("news.feedback.window.confusion", this, m -> m.windowCount(pair))
                    .description("Judged articles in the live window by true and predicted label")
                    .tag("true_label", trueLabel).tag("predicted_label", predicted).register(registry);
        }
        labelGauges(trueLabel);
        labelGauges(predicted);
    }

    /** The task moved away or closed: its window leaves this instance's figures. */
    synchronized void taskClosed(String task) {
        confusionByTask.remove(task);
        confidenceByTask.remove(task);
    }

    /** The live window's figures, over every task of this instance. */
    public synchronized Metrics metrics() {
        ConfusionMatrix matrix = new ConfusionMatrix(labels.get());
        Map<List<String>, Long> counts = new HashMap<>();
        confusionByTask.values().forEach(task -> task.forEach((pair, count) -> counts.merge(pair, count, Long::sum)));
        counts.forEach((pair, count) -> {
            for (long i = 0; i < count; i++) {
                matrix.add(pair.get(0), pair.get(1));
            }
        });
        return Metrics.of(matrix);
    }

    private synchronized double windowCount(List<String> pair) {
        return confusionByTask.values().stream().mapToLong(task -> task.getOrDefault(pair, 0L)).sum();
    }

    private synchronized double windowMeanConfidence() {
        double sum = 0;
        double count = 0;
        for (double[] task : confidenceByTask.values()) {
            sum += task[0];
            count += task[1];
        }
        return count == 0 ? Double.NaN : sum / count;
    }

    private double orNaN(double value) {
        return metrics().total() == 0 ? Double.NaN : value;
    }

    private synchronized void labelGauges(String label) {
        if (!labelGauges.add(label)) {
            return;
        }
        Gauge.builder("news.feedback.window.precision", this, m -> m.perLabel(label, true))
                .description("Precision of a label over the live window").tag("label", label).register(registry);
        Gauge.builder("news.feedback.window.recall", this, m -> m.perLabel(label, false))
                .description("Recall of a label over the live window").tag("label", label).register(registry);
        Gauge.builder("news.drift.label.share", drift, d -> d.recentShare(label))
                .description("A label's share of predictions").tag("label", label).tag("of", "recent").register(registry);
        Gauge.builder("news.drift.label.share", drift, d -> d.referenceShare(label))
                .description("A label's share of predictions").tag("label", label).tag("of", "reference")
                .register(registry);
    }

    private double perLabel(String label, boolean precision) {
        Metrics metrics = metrics();
        return metrics.perClass().stream().filter(c -> c.label().equals(label)).findFirst()
                .map(c -> precision ? c.precision() : c.recall()).orElse(Double.NaN);
    }

    private Counter outcomeCounter(Outcome outcome) {
        return Counter.builder("news.feedback").description("True labels read from the feedback topic, by outcome")
                .tag("outcome", outcome.name().toLowerCase(Locale.ROOT)).register(registry);
    }
}
