package dev.newsclassifier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The packaged application, run as a person runs it: {@code demo} in its own JVM. */
class DemoIT {

    private static final Path APP = Path.of("target", "quarkus-app", "quarkus-run.jar");

    @Test
    void shouldRunTheDemoEndToEndAndPrintTheSummary() throws IOException, InterruptedException {
        Path log = Files.createTempFile("demo-", ".log");
        Process demo = new ProcessBuilder(List.of(javaBinary(), "-Dnews.model.dir=onnx/models/default", "-jar",
                APP.toString(), "demo"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();

        boolean finished = demo.waitFor(5, TimeUnit.MINUTES);
        if (!finished) {
            demo.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);

        assertThat(finished).as("demo finished within 5 minutes; output:%n%s", output).isTrue();
        assertThat(demo.exitValue()).as("exit code; output:%n%s", output).isZero();
        assertThat(output)
                .contains("Published 40 articles")
                .contains("articles published   40")
                .contains("labeled results      40")
                .containsPattern("accuracy +\\d+\\.\\d% \\(\\d+ of 40 with a known label\\)")
                .containsPattern("throughput +\\d+\\.\\d articles/s")
                .containsPattern("end-to-end latency   p50 \\d+ ms, p99 \\d+ ms");
        assertThat(output.lines().filter(line -> line.startsWith("demo-")).count()).isEqualTo(40);
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
