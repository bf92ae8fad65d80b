package dev.newsclassifier.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The benchmark's CPU per article by component, summed per thread between two snapshots. */
class CpuByComponentTest {

    private static CpuByComponent.ThreadCpu cpu(String component, long millis) {
        return new CpuByComponent.ThreadCpu(component, millis * 1_000_000);
    }

    @Test
    void shouldNeverGiveAComponentLessThanNothingWhenOneOfItsThreadsEnds() {
        // The JVM stopped a C1 compiler thread that had used 40 ms and started another, which used 5 ms.
        var before = new CpuByComponent.Snapshot(Map.of("os-11", cpu(CpuByComponent.JIT, 40),
                "java-1", cpu(CpuByComponent.STREAM_THREAD, 100)), 0, 200_000_000L);
        var after = new CpuByComponent.Snapshot(Map.of("os-12", cpu(CpuByComponent.JIT, 5),
                "java-1", cpu(CpuByComponent.STREAM_THREAD, 150)), 0, 270_000_000L);

        Map<String, Double> ms = CpuByComponent.perArticleMs(before, after, 10);

        assertThat(ms.get(CpuByComponent.JIT)).isCloseTo(0.5, within(1e-9));
        assertThat(ms.get(CpuByComponent.STREAM_THREAD)).isCloseTo(5.0, within(1e-9));
        assertThat(ms.get(CpuByComponent.OTHER)).as("the process's time no live thread accounts for")
                .isCloseTo(1.5, within(1e-9));
        assertThat(ms.get("total")).isCloseTo(7.0, within(1e-9));
        assertThat(ms.values()).allSatisfy(value -> assertThat(value).isNotNegative());
    }

    @Test
    void shouldCountTheBenchmarksEndedClientThreadsAsItsOwn() {
        var before = new CpuByComponent.Snapshot(Map.of(), 1_000_000L, 0);
        var after = new CpuByComponent.Snapshot(Map.of(), 3_000_000L, 2_000_000L);

        Map<String, Double> ms = CpuByComponent.perArticleMs(before, after, 1);

        assertThat(ms.get(CpuByComponent.BENCHMARK)).isCloseTo(2.0, within(1e-9));
        assertThat(ms.get(CpuByComponent.OTHER)).isZero();
    }
}
