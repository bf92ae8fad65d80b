package dev.newsclassifier.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {

    @TempDir
    Path dir;

    @Test
    void shouldWriteTheFiguresToReportJson() throws IOException {
        ReportWriter.write(SampleReports.full(), dir);

        JsonNode json = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        assertThat(json.get("kind").asText()).isEqualTo("evaluate");
        assertThat(json.get("name").asText()).isEqualTo("sample-run");
        assertThat(json.get("articles").asLong()).isEqualTo(200);
        assertThat(json.at("/metrics/accuracy").asDouble()).isCloseTo(0.8, within(1e-9));
        assertThat(json.at("/metrics/confusion/0/0").asLong()).isEqualTo(40);
        assertThat(json.at("/metrics/per_class/1/label").asText()).isEqualTo("Sports");
        assertThat(json.at("/metrics/macro_f1").asDouble()).isBetween(0.79, 0.81);
        // Every 5th article is wrong, with confidence 0.5 to 0.95: 40 errors, listed surest first.
        assertThat(json.get("misclassified_count").asLong()).isEqualTo(40);
        assertThat(json.get("misclassified")).hasSize(40);
        assertThat(json.at("/misclassified/0/confidence").asDouble()).isCloseTo(0.95, within(1e-9));
        assertThat(json.at("/reliability/bins")).hasSize(10);
        assertThat(json.at("/reliability/bins/9/count").asLong()).isEqualTo(40);
        assertThat(json.at("/reliability/expected_calibration_error").asDouble()).isBetween(0.0, 1.0);
        assertThat(json.at("/latency/p50").asLong()).isBetween(40L, 200L);
        assertThat(json.at("/latency/histogram")).hasSize(20);
        assertThat(json.at("/throughput/series").size()).isPositive();
        assertThat(json.at("/comparison/agreement").asDouble()).isCloseTo(0.9, within(1e-9));
        assertThat(json.at("/comparison/candidate_metrics/accuracy").asDouble()).isCloseTo(0.9, within(1e-9));
        assertThat(json.at("/comparison/differences")).hasSize(20);
    }

    @Test
    void shouldDrawEveryChartAsInlineSvgWithNothingFromTheNetwork() throws IOException {
        ReportWriter.write(SampleReports.full(), dir);

        String html = Files.readString(dir.resolve("report.html"));
        assertThat(html).startsWith("<!DOCTYPE html>");
        assertThat(count(html, "class=\"heatmap-cell\"")).isEqualTo(16);
        assertThat(count(html, "class=\"bar bar-")).isEqualTo(12);
        assertThat(count(html, "class=\"histogram-bar\"")).isEqualTo(20);
        assertThat(html).containsPattern("class=\"throughput-line\" d=\"M[0-9.]+ [0-9.]+ L");
        assertThat(count(html, "class=\"difference\"")).isEqualTo(20);
        assertThat(count(html, "class=\"reliability-bin\"")).isEqualTo(5);
        assertThat(count(html, "class=\"misclassified-row\"")).isEqualTo(40);
        assertThat(html).contains("Title &lt;5&gt; &amp; more").doesNotContain("Title <5>");
        assertThat(html).doesNotContain("<script src", "<link", "<img");
        assertThat(html.replace("http://www.w3.org/2000/svg", "")).doesNotContain("http");
    }

    @Test
    void shouldPrintAccuracyPerLabelTableAndConfusionMatrix() {
        StringWriter text = new StringWriter();
        ReportPrinter.print(SampleReports.full(), new PrintWriter(text));

        assertThat(text.toString())
                .contains("accuracy             0.8000 (160 of 200)")
                .containsPattern("World +0\\.\\d{4} +0\\.8000 +0\\.\\d{4} +50 +")
                .containsPattern("TRUE \\\\ PREDICTED +World +Sports +Business +Sci/Tech")
                .contains("agreement            0.9000 (180 of 200 articles in both; 20 differ)")
                .containsPattern("end-to-end latency   p50 \\d+ ms, p95 \\d+ ms, p99 \\d+ ms");
    }

    private static int count(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            count++;
        }
        return count;
    }
}
