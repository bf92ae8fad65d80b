package dev.newsclassifier.feedback;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How recent traffic drifts from the model's own test set, as two population stability indexes: the share of each
 * predicted label over the last predictions against its share on the test set ({@code metrics.test_confusion_matrix}
 * in {@code config.json}, column sums), and the top probability's histogram in tenths against the test set's
 * ({@code metrics.test_confidence_histogram}). A PSI under 0.1 is commonly read as stable, 0.1 to 0.25 as a shift
 * worth a look, above 0.25 as a real change in what arrives or in the model.
 */
final class LabelDrift {

    /** Stands in for an empty share, so that a label that never appears does not make the index infinite. */
    private static final double EMPTY_SHARE = 1e-4;
    static final int CONFIDENCE_BINS = 10;

    private final int capacity;
    private final ArrayDeque<String> recent = new ArrayDeque<>();
    private final Map<String, Integer> recentCounts = new LinkedHashMap<>();
    private double confidenceSum;
    private final ArrayDeque<Float> recentConfidence = new ArrayDeque<>();
    private final int[] recentConfidenceBins = new int[CONFIDENCE_BINS];
    private Map<String, Double> reference = Map.of();
    private double[] confidenceReference;

    LabelDrift(int capacity) {
        this.capacity = capacity;
    }

    synchronized void reference(Map<String, Double> shares, double[] confidenceShares) {
        reference = Map.copyOf(shares);
        confidenceReference = confidenceShares;
    }

    synchronized void predicted(String label, float confidence) {
        recent.addLast(label);
        recentCounts.merge(label, 1, Integer::sum);
        recentConfidence.addLast(confidence);
        recentConfidenceBins[bin(confidence)]++;
        confidenceSum += confidence;
        if (recent.size() > capacity) {
            recentCounts.merge(recent.removeFirst(), -1, Integer::sum);
            float oldest = recentConfidence.removeFirst();
            confidenceSum -= oldest;
            recentConfidenceBins[bin(oldest)]--;
        }
    }

    synchronized int recentCount() {
        return recent.size();
    }

    synchronized double recentShare(String label) {
        return recent.isEmpty() ? 0 : recentCounts.getOrDefault(label, 0) / (double) recent.size();
    }

    synchronized double referenceShare(String label) {
        return reference.getOrDefault(label, 0.0);
    }

    synchronized double meanConfidence() {
        return recent.isEmpty() ? Double.NaN : confidenceSum / recent.size();
    }

    /** The population stability index of recent labels against the reference; NaN without both. */
    synchronized double psi() {
        if (recent.isEmpty() || reference.isEmpty()) {
            return Double.NaN;
        }
        double psi = 0;
        for (String label : reference.keySet()) {
            double actual = Math.max(recentShare(label), EMPTY_SHARE);
            double expected = Math.max(reference.get(label), EMPTY_SHARE);
            psi += (actual - expected) * Math.log(actual / expected);
        }
        return psi;
    }

    /** The population stability index of recent top probabilities, in tenths, against the reference; NaN without both. */
    synchronized double confidencePsi() {
        if (recent.isEmpty() || confidenceReference == null) {
            return Double.NaN;
        }
        double psi = 0;
        for (int bin = 0; bin < CONFIDENCE_BINS; bin++) {
            double actual = Math.max(recentConfidenceBins[bin] / (double) recent.size(), EMPTY_SHARE);
            double expected = Math.max(confidenceReference[bin], EMPTY_SHARE);
            psi += (actual - expected) * Math.log(actual / expected);
        }
        return psi;
    }

    private static int bin(float confidence) {
        return Math.max(0, Math.min(CONFIDENCE_BINS - 1, (int) (confidence * CONFIDENCE_BINS)));
    }

    /** The test set's top-probability histogram as shares, from {@code config.json}; null when it has none. */
    static double[] confidenceReferenceOf(Path modelDir) {
        try {
            JsonNode histogram = new ObjectMapper().readTree(modelDir.resolve("config.json").toFile())
                    .path("metrics").path("test_confidence_histogram");
            if (!histogram.isArray() || histogram.size() != CONFIDENCE_BINS) {
                return null;
            }
            double total = 0;
            for (JsonNode count : histogram) {
                total += count.asDouble();
            }
            if (total == 0) {
                return null;
            }
            double[] shares = new double[CONFIDENCE_BINS];
            for (int bin = 0; bin < CONFIDENCE_BINS; bin++) {
                shares[bin] = histogram.get(bin).asDouble() / total;
            }
            return shares;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Each label's share of the test set's predictions, from a model folder's {@code config.json}; empty when it does
     * not say.
     */
    static Optional<Map<String, Double>> referenceOf(Path modelDir, List<String> labels) {
        try {
            JsonNode matrix = new ObjectMapper().readTree(modelDir.resolve("config.json").toFile())
                    .path("metrics").path("test_confusion_matrix");
            if (!matrix.isArray() || matrix.size() != labels.size()) {
                return Optional.empty();
            }
            double[] predicted = new double[labels.size()];
            double total = 0;
            for (JsonNode row : matrix) {
                for (int column = 0; column < labels.size(); column++) {
                    predicted[column] += row.path(column).asDouble();
                    total += row.path(column).asDouble();
                }
            }
            if (total == 0) {
                return Optional.empty();
            }
            Map<String, Double> shares = new LinkedHashMap<>();
            for (int i = 0; i < labels.size(); i++) {
                shares.put(labels.get(i), predicted[i] / total);
            }
            return Optional.of(shares);
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
