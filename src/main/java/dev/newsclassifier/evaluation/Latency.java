package dev.newsclassifier.evaluation;

import java.util.ArrayList;
import java.util.List;

/** End-to-end latency in milliseconds: nearest-rank percentiles and a histogram of equal-width bins. */
public record Latency(long count, long min, long p50, long p95, long p99, long max, double mean, List<Bin> histogram) {

    /** Articles whose latency is in [fromMillis, toMillis). */
    public record Bin(long fromMillis, long toMillis, long count) {
    }

    static final int BINS = 20;

    /** @param latencies milliseconds, any order; at least one */
    public static Latency of(long[] latencies) {
        long[] sorted = Percentiles.sortedCopy(latencies);
        long min = sorted[0];
        long max = sorted[sorted.length - 1];
        double sum = 0;
        for (long value : sorted) {
            sum += value;
        }
        long low = Math.min(0, min);
        long width = Math.max(1, (long) Math.ceil((max - low + 1) / (double) BINS));
        long[] counts = new long[BINS];
        for (long value : sorted) {
            counts[(int) Math.min(BINS - 1, (value - low) / width)]++;
        }
        List<Bin> bins = new ArrayList<>(BINS);
        for (int i = 0; i < BINS; i++) {
            bins.add(new Bin(low + i * width, low + (i + 1) * width, counts[i]));
        }
        return new Latency(sorted.length, min, Percentiles.of(sorted, 50), Percentiles.of(sorted, 95),
                Percentiles.of(sorted, 99), max, sum / sorted.length, bins);
    }
}
