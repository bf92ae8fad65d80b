package dev.newsclassifier.cli;

import dev.newsclassifier.evaluation.ConfusionMatrix;
import dev.newsclassifier.evaluation.Metrics;
import dev.newsclassifier.evaluation.Report;
import dev.newsclassifier.faults.PrometheusSamples;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The live figures of running instances: each one's window of judged articles ({@code
 * news_feedback_window_confusion}) from {@code /q/metrics}, added up into one confusion matrix, with the drift
 * gauges as notes; a report like the offline one.
 */
final class LiveEvaluation {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private LiveEvaluation() {
    }

    static Report report(List<URI> instances) throws IOException, InterruptedException {
        ConfusionMatrix matrix = null;
        List<String> notes = new ArrayList<>();
        List<String> models = new ArrayList<>();
        for (URI instance : instances) {
            PrometheusSamples samples = scrape(instance);
            Map<String, Double> info = samples.byLabel("news_model_info", "version");
            List<String> labels = samples.series("news_model_info").keySet().stream().findFirst()
                    .map(series -> List.of(series.getOrDefault("labels", "").split(","))).orElse(List.of());
            if (matrix == null) {
                matrix = new ConfusionMatrix(labels.size() == 1 && labels.get(0).isEmpty() ? List.of() : labels);
            }
            samples.series("news_model_info").keySet().forEach(series -> models.add(series.get("name") + " "
                    + series.get("version") + " (" + instance + ")"));
            for (Map.Entry<Map<String, String>, Double> cell : samples.series("news_feedback_window_confusion").entrySet()) {
                for (long i = 0; i < Math.round(cell.getValue()); i++) {
                    matrix.add(cell.getKey().get("true_label"), cell.getKey().get("predicted_label"));
                }
            }
            Map<String, Double> outcomes = samples.byLabel("news_feedback_total", "outcome");
            notes.add(String.format(Locale.ROOT, "%s: true labels by outcome %s; label drift PSI %.4f against the "
                    + "model's test set; mean confidence of recent predictions %.4f", instance, outcomes,
                    samples.sum("news_drift_label_psi"), samples.sum("news_drift_recent_mean_confidence")));
            if (info.isEmpty()) {
                notes.add(instance + " published no news_model_info: is it the news classifier?");
            }
        }
        Metrics metrics = Metrics.of(matrix == null ? new ConfusionMatrix(List.of()) : matrix);
        notes.add(0, "Live window: the last judged articles of each instance (news.feedback.window-size), predictions "
                + "joined with true labels from the feedback topic.");
        return new Report("live", "live", String.join(", ", instances.stream().map(URI::toString).toList()), models,
                Instant.now().toString(), metrics.total(), metrics.total(), metrics, null, null, null, notes);
    }

    private static PrometheusSamples scrape(URI instance) throws IOException, InterruptedException {
        URI metrics = instance.resolve("/q/metrics");
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(metrics + " answered " + response.statusCode());
        }
        return PrometheusSamples.parse(response.body());
    }
}
