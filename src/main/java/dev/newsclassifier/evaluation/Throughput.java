package dev.newsclassifier.evaluation;

import java.util.ArrayList;
import java.util.List;

/**
 * Articles per second, overall and over time.
 *
 * @param spanSeconds the time the articles took: from the first to the last classification, or
 *        from a given start (the moment a batch run began) to the last
 * @param bucketSeconds width of each point of {@code series}
 * @param series articles per second in consecutive buckets from the start
 */
public record Throughput(long articles, double spanSeconds, double articlesPerSecond, double bucketSeconds,
        List<Point> series) {

    /** @param secondsFromStart the start of the bucket */
    public record Point(double secondsFromStart, double articlesPerSecond) {
    }

    private static final double[] BUCKETS = {0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600};
    private static final int MAX_POINTS = 40;

    /**
     * @param times classification times in epoch milliseconds
     * @param startMillis when the work began, or -1 to measure from the first time
     */
    public static Throughput of(long[] times, long startMillis) {
        if (times.length == 0) {
            return new Throughput(0, 0, 0, 1, List.of());
        }
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (long time : times) {
            first = Math.min(first, time);
            last = Math.max(last, time);
        }
        long start = startMillis >= 0 ? Math.min(startMillis, first) : first;
        long spanMillis = Math.max(1, last - start);
        double bucket = BUCKETS[BUCKETS.length - 1];
        for (double candidate : BUCKETS) {
            if (spanMillis / (candidate * 1000) <= MAX_POINTS) {
                bucket = candidate;
                break;
            }
        }
        int buckets = (int) Math.floor(spanMillis / (bucket * 1000)) + 1;
        long[] counts = new long[buckets];
        for (long time : times) {
            counts[Math.min(buckets - 1, (int) ((time - start) / (bucket * 1000)))]++;
        }
        List<Point> series = new ArrayList<>(buckets);
        for (int i = 0; i < buckets; i++) {
            series.add(new Point(i * bucket, counts[i] / bucket));
        }
        return new Throughput(times.length, spanMillis / 1000.0, times.length / (spanMillis / 1000.0), bucket, series);
    }
}
