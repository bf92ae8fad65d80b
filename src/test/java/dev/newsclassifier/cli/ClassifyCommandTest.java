package dev.newsclassifier.cli;

import static dev.newsclassifier.cli.CommandResult.execute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code classify}: a labeled file through the shipped model, no Kafka. */
class ClassifyCommandTest {

    private static final Path MODEL = Path.of("onnx", "models", "default");

    @TempDir
    Path dir;

    @Test
    void shouldWritePredictionsCsvAndAReportWhoseAccuracyMatchesThem() throws IOException {
        Path input = ToolTestData.agNewsCsv(dir.resolve("sample.csv"), 20, 0);
        Path output = dir.resolve("out/predictions.csv");
        Path reports = dir.resolve("report");

        var result = execute("classify", "--input", input.toString(), "--output", output.toString(), "--model-dir",
                MODEL.toString(), "--batch-size", "7", "--report-dir", reports.toString());

        assertThat(result.exit()).as("exit; stderr:%n%s", result.err()).isZero();
        List<String> rows = Files.readAllLines(output);
        assertThat(rows.get(0)).isEqualTo(
                "id,true_label,predicted_label,confidence,truncated,score_World,score_Sports,score_Business,score_Sci/Tech");
        assertThat(rows).hasSize(21);
        assertThat(rows.get(1)).startsWith("sample-1,World,");
        long correct = rows.stream().skip(1).map(r -> r.split(",")).filter(f -> f[1].equals(f[2])).count();

        JsonNode report = new ObjectMapper().readTree(reports.resolve("report.json").toFile());
        assertThat(report.get("kind").asText()).isEqualTo("classify");
        assertThat(report.get("articles").asInt()).isEqualTo(20);
        assertThat(report.at("/metrics/correct").asLong()).isEqualTo(correct);
        assertThat(report.at("/metrics/accuracy").asDouble()).isEqualTo(correct / 20.0);
        assertThat(report.at("/metrics/accuracy").asDouble()).as("the sample is easy").isGreaterThanOrEqualTo(0.8);
        assertThat(report.get("latency").isNull()).isTrue();
        assertThat(report.at("/throughput/articles_per_second").asDouble()).isPositive();
        assertThat(reports.resolve("report.html")).exists();
        // Each misclassified article with the words that decided its (wrong) label.
        assertThat(report.get("misclassified_count").asLong()).isEqualTo(20 - correct);
        assertThat(report.get("misclassified")).hasSize((int) (20 - correct))
                .allSatisfy(wrong -> assertThat(wrong.get("top_words")).isNotEmpty());
        assertThat(report.at("/reliability/bins")).hasSize(10);
        assertThat(result.out()).contains("Classifying 20 articles of").contains("accuracy             ")
                .contains("TRUE \\ PREDICTED").contains("Predictions: " + output);
    }

    @Test
    void shouldWritePredictionsAsJsonLinesByExtension() throws IOException {
        Path input = ToolTestData.agNewsCsv(dir.resolve("sample.csv"), 4, 0);
        Path output = dir.resolve("predictions.jsonl");

        var result = execute("classify", "--input", input.toString(), "--output", output.toString(), "--model-dir",
                MODEL.toString(), "--report-dir", dir.resolve("r").toString());

        assertThat(result.exit()).as("exit; stderr:%n%s", result.err()).isZero();
        List<String> lines = Files.readAllLines(output);
        assertThat(lines).hasSize(4);
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertThat(first.get("id").asText()).isEqualTo("sample-1");
        assertThat(first.get("true_label").asText()).isEqualTo("World");
        assertThat(first.get("scores")).hasSize(4);
        double sum = 0;
        for (JsonNode score : first.get("scores")) {
            sum += score.asDouble();
        }
        assertThat(sum).isBetween(0.999, 1.001);
    }

    @Test
    void shouldStopAtAMalformedRowNamingItUnlessToldToSkip() throws IOException {
        Path input = ToolTestData.agNewsCsv(dir.resolve("broken.csv"), 6, 3);

        var stopped = execute("classify", "--input", input.toString(), "--model-dir", MODEL.toString(),
                "--report-dir", dir.resolve("r1").toString());
        var skipped = execute("classify", "--input", input.toString(), "--model-dir", MODEL.toString(),
                "--skip-malformed", "--report-dir", dir.resolve("r2").toString());

        assertThat(stopped.exit()).isEqualTo(2);
        assertThat(stopped.err()).contains("broken.csv:4: label 'Sports' is not a number")
                .contains("--skip-malformed");
        assertThat(skipped.exit()).isZero();
        assertThat(skipped.err()).contains("skipped: ").contains("broken.csv:4:");
        assertThat(skipped.out()).contains("Classifying 6 articles");
    }

    @Test
    void shouldScoreConcurrentChunksExactlyAsOnePaddedCallPerBatch() throws IOException {
        Path input = ToolTestData.agNewsCsv(dir.resolve("sample.csv"), 20, 0);
        Path chunked = dir.resolve("chunked.csv");
        Path padded = dir.resolve("padded.csv");

        var byDefault = execute("classify", "--input", input.toString(), "--output", chunked.toString(),
                "--model-dir", MODEL.toString(), "--report-dir", dir.resolve("r1").toString());
        var onePaddedCall = execute("classify", "--input", input.toString(), "--output", padded.toString(),
                "--model-dir", MODEL.toString(), "--threads", "2", "--chunk-size", "32", "--concurrent-chunks", "1",
                "--report-dir", dir.resolve("r2").toString());

        assertThat(byDefault.exit()).as("exit; stderr:%n%s", byDefault.err()).isZero();
        assertThat(onePaddedCall.exit()).as("exit; stderr:%n%s", onePaddedCall.err()).isZero();
        int cores = Runtime.getRuntime().availableProcessors();
        assertThat(byDefault.out()).as("the service's defaults: one single-threaded chunk of 2 per core")
                .contains("batches of 32 cut into length-sorted chunks of up to 2 texts; " + cores
                        + " chunk(s) at a time, 1 thread per chunk");
        assertThat(onePaddedCall.out()).contains("chunks of up to 32 texts; 1 chunk(s) at a time, 2 threads per chunk");
        List<String> chunkedRows = Files.readAllLines(chunked);
        List<String> paddedRows = Files.readAllLines(padded);
        assertThat(chunkedRows).hasSize(21);
        for (int row = 1; row < chunkedRows.size(); row++) {
            String[] a = chunkedRows.get(row).split(",");
            String[] b = paddedRows.get(row).split(",");
            assertThat(a[0]).isEqualTo(b[0]);
            assertThat(a[2]).as("label of %s", a[0]).isEqualTo(b[2]);
            for (int k = 5; k < a.length; k++) {
                assertThat(Double.parseDouble(a[k])).as("score %d of %s", k, a[0])
                        .isCloseTo(Double.parseDouble(b[k]), within(1e-4));
            }
        }
    }

    @Test
    void shouldRefuseAChunkSizeBelowOne() {
        var result = execute("classify", "--input", "whatever.csv", "--chunk-size", "0");

        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.err()).contains("Invalid inference settings: chunk size must be at least 1, got 0");
    }

    @Test
    void shouldRefuseAnOutputFileOfUnknownFormat() {
        var result = execute("classify", "--input", "whatever.csv", "--output", "predictions.xlsx");

        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.err()).contains("--output must end in .csv, .jsonl, .json or .ndjson");
    }
}
