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
 */
public record Report(String kind, String name, String source, List<String> models, String generatedAt, long articles,
        long labeled, Metrics metrics, Throughput throughput, Latency latency, Comparison comparison,
        List<String> notes) {
}
