package dev.newsclassifier.topology;

import dev.newsclassifier.avro.ClassifiedArticle;
import dev.newsclassifier.inference.Classification;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.OptionalDouble;

/**
 * When a labeled article needs a person to look at it: its top probability below {@code minConfidence}, or the
 * margin between its two most likely labels below {@code minMargin}. Either threshold may be unset; with neither,
 * no article needs review.
 */
public record ReviewPolicy(OptionalDouble minConfidence, OptionalDouble minMargin) {

    public static final ReviewPolicy OFF = new ReviewPolicy(OptionalDouble.empty(), OptionalDouble.empty());

    public ReviewPolicy {
        check("min-confidence", minConfidence);
        check("min-margin", minMargin);
    }

    private static void check(String name, OptionalDouble threshold) {
        if (threshold.isPresent() && !(threshold.getAsDouble() >= 0 && threshold.getAsDouble() <= 1)) {
            throw new IllegalArgumentException("news.review." + name + " must be within [0, 1], got "
                    + threshold.getAsDouble());
        }
    }

    public boolean isOn() {
        return minConfidence.isPresent() || minMargin.isPresent();
    }

    boolean needsReview(ClassifiedArticle article) {
        return needsReview(article.getConfidence(), margin(article.getScores().values()));
    }

    boolean needsReview(Classification classification) {
        List<Float> probabilities = new ArrayList<>();
        for (float probability : classification.probabilities()) {
            probabilities.add(probability);
        }
        return needsReview(classification.confidence(), margin(probabilities));
    }

    private boolean needsReview(double confidence, double margin) {
        if (minConfidence.isPresent() && confidence < minConfidence.getAsDouble()) {
            return true;
        }
        return minMargin.isPresent() && margin < minMargin.getAsDouble();
    }

    /** The top probability less the second one (the top one alone for a one-label model). */
    static double margin(Collection<Float> scores) {
        double first = 0;
        double second = 0;
        for (float score : scores) {
            if (score > first) {
                second = first;
                first = score;
            } else if (score > second) {
                second = score;
            }
        }
        return first - second;
    }
}
