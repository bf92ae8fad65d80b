package dev.newsclassifier.evaluation;

/**
 * Precision, recall and F1 of one label; a ratio whose denominator is zero (a label never
 * predicted, or never present) counts as 0, as scikit-learn's {@code zero_division=0} does.
 *
 * @param support how many articles truly have this label
 * @param predicted how many articles the model gave this label
 */
public record ClassMetrics(String label, double precision, double recall, double f1, long support, long predicted) {
}
