package dev.newsclassifier.evaluation;

import java.util.ArrayList;
import java.util.List;

/**
 * Classification quality from a confusion matrix (rows: true label, columns: predicted label,
 * both in the order of {@code labels}).
 *
 * @param macroF1 the unweighted mean of F1 over the labels that occur in the truth or in the
 *        predictions (scikit-learn's default label set), so a file holding two of the four
 *        classes is not marked down for the two it lacks
 */
public record Metrics(List<String> labels, long[][] confusion, long total, long correct, double accuracy,
        double macroF1, List<ClassMetrics> perClass) {

    public static Metrics of(ConfusionMatrix matrix) {
        List<String> labels = matrix.labels();
        long[][] counts = matrix.counts();
        int n = labels.size();
        long total = 0;
        long correct = 0;
        List<ClassMetrics> perClass = new ArrayList<>(n);
        double f1Sum = 0;
        int present = 0;
        for (int i = 0; i < n; i++) {
            long truePositives = counts[i][i];
            long support = 0;
            long predicted = 0;
            for (int j = 0; j < n; j++) {
                support += counts[i][j];
                predicted += counts[j][i];
                total += counts[i][j];
            }
            correct += truePositives;
            double precision = ratio(truePositives, predicted);
            double recall = ratio(truePositives, support);
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            perClass.add(new ClassMetrics(labels.get(i), precision, recall, f1, support, predicted));
            if (support > 0 || predicted > 0) {
                f1Sum += f1;
                present++;
            }
        }
        return new Metrics(labels, counts, total, correct, ratio(correct, total), present == 0 ? 0 : f1Sum / present,
                perClass);
    }

    private static double ratio(long numerator, long denominator) {
        return denominator == 0 ? 0 : (double) numerator / denominator;
    }
}
