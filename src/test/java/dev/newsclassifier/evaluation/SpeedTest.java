package dev.newsclassifier.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** Percentiles, the latency histogram and throughput over time. */
class SpeedTest {

    @Test
    void shouldTakeNearestRankPercentiles() {
        long[] hundred = LongStream.rangeClosed(1, 100).toArray();
        assertThat(Percentiles.of(hundred, 50)).isEqualTo(50);
        assertThat(Percentiles.of(hundred, 95)).isEqualTo(95);
        assertThat(Percentiles.of(hundred, 99)).isEqualTo(99);
        assertThat(Percentiles.of(hundred, 100)).isEqualTo(100);

        long[] four = {10, 20, 30, 40};
        assertThat(Percentiles.of(four, 50)).isEqualTo(20);
        assertThat(Percentiles.of(four, 95)).isEqualTo(40);
        assertThat(Percentiles.of(new long[] {7}, 99)).isEqualTo(7);
        assertThatThrownBy(() -> Percentiles.of(new long[0], 50)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldSummarizeLatencyAndBinItEvenly() {
        long[] shuffled = LongStream.range(0, 100).map(i -> (i * 37) % 100).toArray();

        Latency latency = Latency.of(shuffled);

        assertThat(latency.count()).isEqualTo(100);
        assertThat(latency.min()).isZero();
        assertThat(latency.max()).isEqualTo(99);
        assertThat(latency.p50()).isEqualTo(49);
        assertThat(latency.p95()).isEqualTo(94);
        assertThat(latency.p99()).isEqualTo(98);
        assertThat(latency.mean()).isCloseTo(49.5, within(1e-9));
        assertThat(latency.histogram()).hasSize(20);
        assertThat(latency.histogram()).allSatisfy(bin -> assertThat(bin.count()).isEqualTo(5));
        assertThat(latency.histogram().get(0).toMillis()).isEqualTo(5);
    }

    @Test
    void shouldMeasureThroughputOverTheClassifiedAtSpan() {
        long[] times = LongStream.rangeClosed(0, 10).map(i -> 1_000_000 + i * 1000).toArray();

        Throughput throughput = Throughput.of(times, -1);

        assertThat(throughput.spanSeconds()).isCloseTo(10.0, within(1e-9));
        assertThat(throughput.articlesPerSecond()).isCloseTo(1.1, within(1e-9));
        assertThat(throughput.bucketSeconds()).isEqualTo(0.5);
        assertThat(throughput.series()).hasSize(21);
        assertThat(throughput.series().get(0).articlesPerSecond()).isCloseTo(2.0, within(1e-9));
        assertThat(throughput.series().get(1).articlesPerSecond()).isZero();
        assertThat(throughput.series().stream().mapToDouble(p -> p.articlesPerSecond() * 0.5).sum())
                .isCloseTo(11, within(1e-9));
    }

    @Test
    void shouldMeasureThroughputFromAGivenStart() {
        Throughput throughput = Throughput.of(new long[] {5_000, 5_000, 5_000, 5_000}, 3_000);

        assertThat(throughput.spanSeconds()).isCloseTo(2.0, within(1e-9));
        assertThat(throughput.articlesPerSecond()).isCloseTo(2.0, within(1e-9));
    }
}
