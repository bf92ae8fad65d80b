package dev.newsclassifier.evaluation;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/** Builds a {@link Report} from predictions. */
public final class Evaluation {

    private Evaluation() {
    }

    /** Metrics over the predictions with a known label. */
    public static Metrics metrics(List<Prediction> predictions, List<String> labels) {
        ConfusionMatrix matrix = new ConfusionMatrix(labels);
        for (Prediction prediction : predictions) {
            if (prediction.labeled()) {
                matrix.add(prediction.trueLabel(), prediction.predicted());
            }
        }
        return Metrics.of(matrix);
    }

    /**
     * @param startMillis when the work began (classify), or -1 to measure throughput over the
     *        span of classification times (evaluate)
     * @param withLatency whether the predictions carry a publish time to measure latency from
     */
    public static Report report(String kind, String name, String source, List<String> models, List<String> labels,
            List<Prediction> predictions, long startMillis, boolean withLatency, Comparison comparison,
            List<String> notes) {
        long labeled = predictions.stream().filter(Prediction::labeled).count();
        long[] times = predictions.stream().mapToLong(Prediction::classifiedAtMillis).toArray();
        Latency latency = null;
        if (withLatency && !predictions.isEmpty()) {
            latency = Latency.of(predictions.stream()
                    .mapToLong(p -> p.classifiedAtMillis() - p.publishedAtMillis()).toArray());
        }
        return new Report(kind, name, source, List.copyOf(models),
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), predictions.size(), labeled,
                metrics(predictions, labels), Throughput.of(times, startMillis), latency, comparison, List.copyOf(notes));
    }
}
