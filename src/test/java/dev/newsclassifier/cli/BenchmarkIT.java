package dev.newsclassifier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.newsclassifier.local.LocalKafkaStack;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The packaged application's {@code benchmark}, small: every phase runs and every figure reaches its JSON. */
class BenchmarkIT {

    private static final Path APP = Path.of("target", "quarkus-app", "quarkus-run.jar");

    /** What a finished benchmark printed and wrote. */
    private record Run(String output, JsonNode figures) {
    }

    private static Run benchmark(String... options) throws IOException, InterruptedException {
        Path log = Files.createTempFile("benchmark-", ".log");
        Path json = Files.createTempFile("benchmark-", ".json");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dnews.model.dir=onnx/models/default", "-jar", APP.toString(), "benchmark", "--json", json.toString()));
        command.addAll(List.of(options));
        Process benchmark = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean finished = benchmark.waitFor(5, TimeUnit.MINUTES);
        if (!finished) {
            benchmark.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(finished).as("finished within 5 minutes; output:%n%s", output).isTrue();
        assertThat(benchmark.exitValue()).as("exit code; output:%n%s", output).isZero();
        return new Run(output, new ObjectMapper().readTree(json.toFile()));
    }

    @Test
    void shouldMeasureColdAndWarmDrainsAndSteadyLatencyAndWriteEveryFigure() throws IOException, InterruptedException {
        Run run = benchmark("--count", "128", "--paced-seconds", "3", "--warm-up", "64");

        assertThat(run.output()).contains("start-up warm-up 64 articles").contains("cold drain (just started)")
                .contains("warm drain through Kafka").contains("visible (read_committed) after")
                .contains("CPU per article (ms)");
        JsonNode figures = run.figures();
        assertThat(figures.path("warm_up_articles").asInt()).isEqualTo(64);
        for (String rate : List.of("model_only_articles_per_second", "cold_drain_articles_per_second",
                "end_to_end_articles_per_second", "paced_articles_per_second")) {
            assertThat(figures.path(rate).asDouble()).as(rate).isPositive();
        }
        assertThat(figures.path("cold_fraction_of_warm").asDouble()).isPositive();
        assertThat(figures.path("cold_drain_per_second").isArray()).isTrue();
        assertThat(figures.path("inference_batches").asLong()).isPositive();
        for (String latency : List.of("paced_latency_ms", "paced_visible_latency_ms")) {
            assertThat(figures.path(latency).path("p50").asLong()).as(latency).isNotNegative();
            assertThat(figures.path(latency).path("p99").asLong()).as(latency)
                    .isGreaterThanOrEqualTo(figures.path(latency).path("p50").asLong());
        }
        assertThat(figures.path("paced_visible_latency_ms").path("p50").asLong()).as("a reader sees it after it is labeled")
                .isGreaterThanOrEqualTo(figures.path("paced_latency_ms").path("p50").asLong());
        JsonNode cpu = figures.path("cpu_ms_per_article").path("warm_drain");
        assertThat(cpu.path("total").asDouble()).isPositive();
        assertThat(cpu.path(CpuByComponent.MODEL).asDouble()).as("the model's share").isPositive();
        assertThat(cpu.path(CpuByComponent.STREAM_THREAD).asDouble()).isPositive();
        assertThat(cpu.path(CpuByComponent.BROKER).asDouble()).isPositive();
    }

    @Test
    void shouldMeasureThePipelineWithoutTheModelInConstantMode() throws IOException, InterruptedException {
        JsonNode figures = benchmark("--model", "constant", "--count", "512", "--paced-seconds", "2").figures();

        assertThat(figures.path("device").asText()).isEqualTo("none (constant model)");
        assertThat(figures.path("end_to_end_articles_per_second").asDouble()).isPositive();
        assertThat(figures.path("model_only_articles_per_second").asDouble()).as("nothing runs: far above the pipeline")
                .isGreaterThan(figures.path("end_to_end_articles_per_second").asDouble());
    }

    @Test
    void shouldRunAgainstABrokerAndRegistryInAnotherProcess() throws IOException, InterruptedException {
        try (LocalKafkaStack stack = LocalKafkaStack.builder().start()) {
            Run run = benchmark("--model", "constant", "--count", "256", "--paced-seconds", "2",
                    "--bootstrap-servers", stack.bootstrapServers(), "--registry-url", stack.registryUrl());

            assertThat(run.output()).contains("(already running)").doesNotContain("Starting an embedded Kafka broker");
            JsonNode cpu = run.figures().path("cpu_ms_per_article").path("warm_drain");
            assertThat(cpu.path(CpuByComponent.BROKER).asDouble()).as("the broker's CPU is elsewhere")
                    .isLessThan(0.05 * cpu.path("total").asDouble());
        }
    }
}
