package dev.newsclassifier.evaluation;

import java.util.ArrayList;
import java.util.List;

/**
 * How far the model's confidence can be trusted: the labeled predictions in ten bins of confidence, each with its
 * accuracy. A calibrated model's bins sit on the diagonal (articles labeled with 0.8 are right 80% of the time); the
 * bins also show which review threshold ({@code news.review.min-confidence}) catches how many errors.
 *
 * @param expectedCalibrationError the bins' gap between accuracy and mean confidence, weighted by their share
 */
public record Reliability(List<Bin> bins, double expectedCalibrationError) {

    static final int BINS = 10;

    /** Predictions with confidence in [from, to) ([0.9, 1] for the last bin). */
    public record Bin(double from, double to, long count, long correct, double meanConfidence, double accuracy) {
    }

    public static Reliability of(List<Prediction> predictions) {
        long[] counts = new long[BINS];
        long[] correct = new long[BINS];
        double[] confidence = new double[BINS];
        long total = 0;
        for (Prediction prediction : predictions) {
            if (!prediction.labeled()) {
                continue;
            }
            int bin = Math.max(0, Math.min(BINS - 1, (int) (prediction.confidence() * BINS)));
            counts[bin]++;
            correct[bin] += prediction.correct() ? 1 : 0;
            confidence[bin] += prediction.confidence();
            total++;
        }
        List<Bin> bins = new ArrayList<>(BINS);
        double ece = 0;
        for (int i = 0; i < BINS; i++) {
            double meanConfidence = counts[i] == 0 ? 0 : confidence[i] / counts[i];
            double accuracy = counts[i] == 0 ? 0 : (double) correct[i] / counts[i];
            bins.add(new Bin(i / (double) BINS, (i + 1) / (double) BINS, counts[i], correct[i], meanConfidence,
                    accuracy));
            if (total > 0) {
                ece += (double) counts[i] / total * Math.abs(accuracy - meanConfidence);
            }
        }
        return new Reliability(bins, ece);
    }
}
