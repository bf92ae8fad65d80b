package dev.newsclassifier.evaluation;

import java.util.ArrayList;
import java.util.List;

/**
 * Counts of (true label, predicted label) pairs. Labels start as the model's, in index order;
 * a label seen in the data but unknown to the model is appended, so nothing is silently dropped.
 */
public final class ConfusionMatrix {

    private final List<String> labels;
    private long[][] counts;

    public ConfusionMatrix(List<String> labels) {
        this.labels = new ArrayList<>(labels);
        this.counts = new long[labels.size()][labels.size()];
    }

    public ConfusionMatrix add(String trueLabel, String predictedLabel) {
        int row = index(trueLabel);
        int column = index(predictedLabel);
        counts[row][column]++;
        return this;
    }

    public List<String> labels() {
        return List.copyOf(labels);
    }

    /** A copy of the counts, rows true label, columns predicted. */
    public long[][] counts() {
        long[][] copy = new long[counts.length][];
        for (int i = 0; i < counts.length; i++) {
            copy[i] = counts[i].clone();
        }
        return copy;
    }

    private int index(String label) {
        int index = labels.indexOf(label);
        if (index >= 0) {
            return index;
        }
        labels.add(label);
        long[][] grown = new long[labels.size()][labels.size()];
        for (int i = 0; i < counts.length; i++) {
            System.arraycopy(counts[i], 0, grown[i], 0, counts[i].length);
        }
        counts = grown;
        return labels.size() - 1;
    }
}
