package dev.newsclassifier.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code scale-test} on the packaged application, small: 1 and 2 instances, then a join and a leave. */
class ScaleOutIT {

    private static final Path APP = Path.of("target", "quarkus-app", "quarkus-run.jar");

    @Test
    void shouldSplitTheSixPartitionsAndClassifyEachArticleOnceThroughAJoinAndALeave()
            throws IOException, InterruptedException {
        Path report = Path.of("target", "scale-test-it");
        Path log = Files.createTempFile("scale-test-", ".log");
        Process scale = new ProcessBuilder(List.of(java(), "-Dnews.model.dir=onnx/models/default", "-jar",
                APP.toString(), "scale-test", "--max-instances", "2", "--articles", "600", "--rate", "10",
                "--report", report.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();

        boolean finished = scale.waitFor(10, TimeUnit.MINUTES);
        if (!finished) {
            scale.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);

        assertThat(finished).as("scale-test finished within 10 minutes; output:%n%s", output).isTrue();
        assertThat(scale.exitValue()).as("exit code; output:%n%s", output).isZero();
        JsonNode steps = new ObjectMapper().readTree(report.resolve("scale-out.json").toFile());
        assertThat(steps).hasSize(3);
        for (JsonNode step : steps) {
            assertThat(step.get("lost").asLong()).as("lost in %s", step).isZero();
            assertThat(step.get("duplicated").asLong()).as("duplicated in %s", step).isZero();
            assertThat(step.get("articles").asLong()).isEqualTo(600);
        }
        JsonNode two = steps.get(1).get("assignments");
        assertThat(two.size()).as("both instances hold partitions: %s", two).isEqualTo(2);
        Set<Integer> partitions = new HashSet<>();
        two.forEach(held -> held.forEach(partition -> assertThat(partitions.add(partition.asInt()))
                .as("partition %s held once", partition).isTrue()));
        assertThat(partitions).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5);
        String events = steps.get(2).get("events").toString();
        assertThat(events).contains("joined").contains("left (SIGTERM)");
        Matcher settled = Pattern.compile("settled ([0-9.]+) s after it exited").matcher(events);
        assertThat(settled.find()).as(events).isTrue();
        // A member that stops without leaving the group keeps its partitions until its session (10 s) expires.
        assertThat(Double.parseDouble(settled.group(1))).as("the leaving instance left the group").isLessThan(8.0);
        assertThat(steps.get(2).get("classified").get("scale-join-leave-3").asLong())
                .as("the instance that joined mid-run took over work").isPositive();
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
