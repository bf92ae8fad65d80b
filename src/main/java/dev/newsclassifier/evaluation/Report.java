package dev.newsclassifier.evaluation;

import java.util.List;

/**
 * Everything an evaluation found, as written to {@code report.json} and drawn in {@code report.html}.
 *
 * @param kind {@code evaluate} (results read back from Kafka) or {@code classify} (a file run through the model)
 * @param name the replay run id, or the input file name
 * @param source where the predictions came from: a topic, or a model folder
 * @param models the model names and versions that produced the predictions
 * @param articles predictions evaluated
 * @param labeled those with a known label (the metrics cover these)
 * @param latency end-to-end latency; null without a pipeline (classify)
 * @param comparison a second model's results on the same articles; null unless asked for
 * @param reliability confidence against accuracy; null without individual predictions (a live report)
 * @param misclassified the labeled articles the model got wrong, most confident first, at most
 *        {@link Evaluation#MISCLASSIFIED_LISTED}; {@code misclassifiedCount} says how many there were in all
 */
public record Report(String kind, String name, String source, List<String> models, String generatedAt, long articles,
        long labeled, Metrics metrics, Throughput throughput, Latency latency, Comparison comparison,
        List<String> notes, Reliability reliability, List<Prediction> misclassified, long misclassifiedCount) {

    /** A report of figures alone, without individual predictions. */
    public Report(String kind, String name, String source, List<String> models, String generatedAt, long articles,
            long labeled, Metrics metrics, Throughput throughput, Latency latency, Comparison comparison,
            List<String> notes) {
        this(kind, name, source, models, generatedAt, articles, labeled, metrics, throughput, latency, comparison,
                notes, null, List.of(), 0);
    }
}
