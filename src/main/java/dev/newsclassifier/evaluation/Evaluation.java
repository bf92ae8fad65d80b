package dev.newsclassifier.evaluation;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;

/** Builds a {@link Report} from predictions. */
public final class Evaluation {

    /** Misclassified articles a report lists: enough to read through, few enough for one page. */
    public static final int MISCLASSIFIED_LISTED = 50;

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
        List<Prediction> wrong = misclassified(predictions);
        return new Report(kind, name, source, List.copyOf(models),
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), predictions.size(), labeled,
                metrics(predictions, labels), Throughput.of(times, startMillis), latency, comparison, List.copyOf(notes),
                Reliability.of(predictions), wrong.subList(0, Math.min(wrong.size(), MISCLASSIFIED_LISTED)),
                wrong.size());
    }

    /** The labeled predictions that are wrong, most confident first: the errors a person should read first. */
    public static List<Prediction> misclassified(List<Prediction> predictions) {
        return predictions.stream().filter(p -> p.labeled() && !p.correct())
                .sorted(Comparator.comparingDouble(Prediction::confidence).reversed()).toList();
    }
}
