package dev.newsclassifier.evaluation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Two models' results on the same articles (a baseline and a candidate, e.g. the labeled topic
 * and a reprocessing run's topic): each one's metrics, how often they agree, and where they differ.
 *
 * @param compared articles present in both
 * @param agreement fraction of the compared articles given the same label by both
 */
public record Comparison(String baseline, String candidate, Metrics baselineMetrics, Metrics candidateMetrics,
        long baselineArticles, long candidateArticles, long compared, long agreeing, double agreement,
        List<Difference> differences) {

    /** An article the two label differently; {@code trueLabel} is null when unknown. */
    public record Difference(String id, String title, String trueLabel, String baselineLabel, double baselineConfidence,
            String candidateLabel, double candidateConfidence) {
    }

    public static Comparison of(String baseline, List<Prediction> baselinePredictions, String candidate,
            List<Prediction> candidatePredictions, List<String> labels) {
        Map<String, Prediction> byId = candidatePredictions.stream()
                .collect(Collectors.toMap(Prediction::id, Function.identity(), (a, b) -> b));
        long compared = 0;
        long agreeing = 0;
        List<Difference> differences = new ArrayList<>();
        for (Prediction a : baselinePredictions) {
            Prediction b = byId.get(a.id());
            if (b == null) {
                continue;
            }
            compared++;
            if (a.predicted().equals(b.predicted())) {
                agreeing++;
            } else {
                differences.add(new Difference(a.id(), a.title(), a.trueLabel() != null ? a.trueLabel() : b.trueLabel(),
                        a.predicted(), a.confidence(), b.predicted(), b.confidence()));
            }
        }
        differences.sort(Comparator.comparing(Difference::id));
        return new Comparison(baseline, candidate, Evaluation.metrics(baselinePredictions, labels),
                Evaluation.metrics(candidatePredictions, labels), baselinePredictions.size(), candidatePredictions.size(),
                compared, agreeing, compared == 0 ? 0 : (double) agreeing / compared, differences);
    }
}
