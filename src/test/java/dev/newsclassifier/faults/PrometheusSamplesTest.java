package dev.newsclassifier.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusSamplesTest {

    private static final String SCRAPE = """
            # HELP news_articles_dead_lettered_total Records sent to the dead-letter topic
            # TYPE news_articles_dead_lettered_total counter
            news_articles_dead_lettered_total{reason="NOT_WIRE_FORMAT"} 2.0
            news_articles_dead_lettered_total{reason="EMPTY_TEXT"} 1.0
            news_batch_buffered 12.0
            jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 1000.0
            jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 500.0
            jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 7.0
            weird_label{text="a \\"quoted\\", comma"} 3.0
            """;

    @Test
    void shouldSumSamplesByNameAndMatchingLabels() {
        PrometheusSamples samples = PrometheusSamples.parse(SCRAPE);

        assertThat(samples.sum("news_batch_buffered")).isEqualTo(12.0);
        assertThat(samples.sum("news_articles_dead_lettered_total")).isEqualTo(3.0);
        assertThat(samples.sum("jvm_memory_used_bytes", Map.of("area", "heap"))).isEqualTo(1500.0);
        assertThat(samples.sum("absent")).isZero();
    }

    @Test
    void shouldGroupByALabelIncludingEscapedValues() {
        PrometheusSamples samples = PrometheusSamples.parse(SCRAPE);

        assertThat(samples.byLabel("news_articles_dead_lettered_total", "reason"))
                .containsExactly(Map.entry("NOT_WIRE_FORMAT", 2.0), Map.entry("EMPTY_TEXT", 1.0));
        assertThat(samples.byLabel("weird_label", "text")).containsOnlyKeys("a \"quoted\", comma");
    }
}
