package dev.newsclassifier.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import dev.newsclassifier.testing.TestRegistries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The fault suite's CI subset, run as a person runs it: {@code fault-test --quick} starts the
 * packaged service as separate processes, kills one with SIGKILL three times mid-stream, sends it
 * the whole bad-input catalogue, articles its model fails on and broken models, starts one while
 * the schema registry is down, and must report nothing lost or duplicated.
 */
class FaultSuiteIT {

    private static final Path APP = Path.of("target", "quarkus-app", "quarkus-run.jar");

    @Test
    void shouldLoseAndDuplicateNothingAcrossKillsBadInputAndBrokenModels() throws IOException, InterruptedException {
        Path report = Path.of("target", "fault-test-it");
        Path log = Files.createTempFile("fault-test-", ".log");
        Process suite = new ProcessBuilder(List.of(java(), "-Dnews.model.dir=onnx/models/default", "-jar",
                APP.toString(), "fault-test", "--quick", "--report", report.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();

        boolean finished = suite.waitFor(12, TimeUnit.MINUTES);
        if (!finished) {
            suite.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);

        assertThat(finished).as("fault-test finished within 12 minutes; output:%n%s", output).isTrue();
        assertThat(suite.exitValue()).as("exit code; output:%n%s", output).isZero();
        assertThat(output).contains("Summary").containsPattern("kill-9 +600 +600 +0 +0 +0 +PASS")
                .containsPattern("poison-article +300 +297 +0 +0 +3 +PASS");
        JsonNode scenarios = new ObjectMapper().readTree(report.resolve("summary.json").toFile()).get("scenarios");
        List<String> names = new ArrayList<>();
        for (JsonNode scenario : scenarios) {
            names.add(scenario.get("scenario").asText());
            assertThat(scenario.get("lost").asLong()).as("lost in %s", scenario).isZero();
            assertThat(scenario.get("duplicated").asLong()).as("duplicated in %s", scenario).isZero();
            assertThat(scenario.get("passed").asBoolean()).as("%s", scenario).isTrue();
        }
        assertThat(names).containsExactly("kill-9", "bad-input", "poison-article", "model-problems",
                "registry-down-at-start-up");
        String killDetails = scenarios.get(0).get("details").toString();
        assertThat(killDetails).contains("kill -9 kill-9-1 while a batch is buffered (buffered")
                .contains("kill -9 kill-9-1 while inference is running (buffered")
                .contains("over 3 kills (limit 10 s): ok")
                .doesNotContain("NOT observed");
        assertThat(scenarios.get(2).get("details").toString()).contains("INFERENCE_FAILED ok").contains("hold-up: ");
    }

    /** The broker-link scenario: the service's link to the broker cut for 20 s, then 500 ms slower each way for 20 s. */
    @Test
    void shouldCarryOnByItselfThroughABrokenLinkToTheBroker() throws IOException, InterruptedException {
        Path report = Path.of("target", "fault-test-broker-link-it");
        Path log = Files.createTempFile("fault-test-broker-link-", ".log");
        Process suite = new ProcessBuilder(List.of(java(), "-Dnews.model.dir=onnx/models/default", "-jar",
                APP.toString(), "fault-test", "--scenario", "broker-link", "--articles", "1200", "--report",
                report.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();

        boolean finished = suite.waitFor(6, TimeUnit.MINUTES);
        if (!finished) {
            suite.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);

        assertThat(finished).as("fault-test finished within 6 minutes; output:%n%s", output).isTrue();
        assertThat(suite.exitValue()).as("exit code; output:%n%s", output).isZero();
        assertThat(output).containsPattern("broker-link +1200 +1200 +0 +0 +0 +PASS");
        JsonNode scenario = new ObjectMapper().readTree(report.resolve("summary.json").toFile()).get("scenarios").get(0);
        assertThat(scenario.get("details").toString()).contains("link cut (").contains("labeled articles flow again")
                .doesNotContain("NEVER").contains("was never restarted and is ready");
    }

    /** The registry-outage scenario with Apicurio Registry, not our own, as the registry that goes away. */
    @Test
    @ExtendWith(TestRegistries.ApicurioAvailable.class)
    void shouldKeepLabelingThroughAnApicurioRegistryOutage() throws IOException, InterruptedException {
        Path report = Path.of("target", "fault-test-apicurio-it");
        Path log = Files.createTempFile("fault-test-apicurio-", ".log");
        Process suite = new ProcessBuilder(List.of(java(), "-Dnews.model.dir=onnx/models/default", "-jar",
                APP.toString(), "fault-test", "--registry", "apicurio", "--scenario", "registry-outage",
                "--articles", "400", "--rate", "20", "--report", report.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();

        boolean finished = suite.waitFor(6, TimeUnit.MINUTES);
        if (!finished) {
            suite.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);

        assertThat(finished).as("fault-test finished within 6 minutes; output:%n%s", output).isTrue();
        assertThat(suite.exitValue()).as("exit code; output:%n%s", output).isZero();
        JsonNode scenario = new ObjectMapper().readTree(report.resolve("summary.json").toFile()).get("scenarios").get(0);
        assertThat(scenario.get("scenario").asText()).isEqualTo("registry-outage");
        assertThat(scenario.get("lost").asLong()).as("%s", scenario).isZero();
        assertThat(scenario.get("duplicated").asLong()).as("%s", scenario).isZero();
        assertThat(scenario.get("passed").asBoolean()).as("%s", scenario).isTrue();
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
