package dev.newsclassifier.cli;

import static dev.newsclassifier.cli.CommandResult.execute;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.newsclassifier.service.NewsConfig;
import dev.newsclassifier.testing.LocalKafkaStackResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Late ground truth against a real broker: a replay run is labeled, its true labels are published afterwards in
 * random order with {@code feedback --file}, and the service's live accuracy ({@code evaluate --live}) equals what
 * {@code evaluate} finds for the run; an unknown id and a duplicate are counted, not joined.
 */
@QuarkusTest
@TestProfile(FeedbackServiceTest.Profile.class)
class FeedbackServiceTest {

    private static final String FEEDBACK_TOPIC = "feedback-test.feedback";
    private static final int ARTICLES = 40;

    public static final class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.kafka-streams.application-id", "news-classifier-feedback-test",
                    "news.topics.raw", "feedback-test.raw", "news.topics.labeled", "feedback-test.labeled",
                    "news.topics.dead-letter", "feedback-test.dead-letter", "news.topics.feedback", FEEDBACK_TOPIC);
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(LocalKafkaStackResource.class, Map.of(
                    LocalKafkaStackResource.RAW_TOPIC, "feedback-test.raw",
                    LocalKafkaStackResource.LABELED_TOPIC, "feedback-test.labeled",
                    LocalKafkaStackResource.DEAD_LETTER_TOPIC, "feedback-test.dead-letter",
                    LocalKafkaStackResource.EXTRA_TOPICS, FEEDBACK_TOPIC)));
        }
    }

    @Inject
    NewsConfig config;

    @Inject
    MeterRegistry meters;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "news.registry.url")
    String registryUrl;

    @TestHTTPResource("/")
    URI service;

    private List<String> connection(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap-servers", bootstrap, "--registry-url", registryUrl));
        return all;
    }

    private double outcome(String outcome) {
        return meters.get("news.feedback").tag("outcome", outcome).counter().count();
    }

    @Test
    void shouldShowTheSameAccuracyLiveFromLateTrueLabelsAsEvaluateFindsForTheRun() throws Exception {
        Path workDir = Files.createTempDirectory("feedback-test-");
        Path input = ToolTestData.agNewsCsv(workDir.resolve("articles.csv"), ARTICLES, 0);
        String runId = "feedback-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(execute(connection("replay", "--file", input.toString(), "--topic", config.topics().raw(),
                "--run-id", runId).toArray(String[]::new)).exit()).isZero();
        Path offlineDir = workDir.resolve("offline");
        CommandResult offline = execute(connection("evaluate", "--run-id", runId, "--expected",
                Integer.toString(ARTICLES), "--topic", config.topics().labeled(), "--report-dir", offlineDir.toString())
                .toArray(String[]::new));
        assertThat(offline.exit()).as("evaluate; err:%n%s", offline.err()).isZero();

        CommandResult published = execute(connection("feedback", "--file", input.toString(), "--shuffle", "--topic",
                FEEDBACK_TOPIC, "--source", "test").toArray(String[]::new));
        CommandResult unknown = execute(connection("feedback", "--id", "never-published", "--label", "World",
                "--topic", FEEDBACK_TOPIC).toArray(String[]::new));
        assertThat(published.exit()).as("feedback --file; err:%n%s", published.err()).isZero();
        assertThat(published.out()).contains("Published 40 true label(s) to " + FEEDBACK_TOPIC);
        assertThat(unknown.exit()).isZero();

        Path liveDir = workDir.resolve("live");
        JsonNode live = null;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            CommandResult evaluated = execute("evaluate", "--live", "--metrics-url", service.toString(), "--report-dir",
                    liveDir.toString());
            if (evaluated.exit() == 0) {
                live = new ObjectMapper().readTree(liveDir.resolve("report.json").toFile());
                if (live.get("labeled").asInt() == ARTICLES && outcome("waiting") >= 1) {
                    break;
                }
            }
            Thread.sleep(500);
        }
        assertThat(live).as("evaluate --live within 60 s").isNotNull();
        assertThat(live.get("labeled").asInt()).isEqualTo(ARTICLES);
        JsonNode expected = new ObjectMapper().readTree(offlineDir.resolve("report.json").toFile());
        assertThat(live.at("/metrics/accuracy").asDouble()).isEqualTo(expected.at("/metrics/accuracy").asDouble());
        assertThat(live.at("/metrics/confusion")).isEqualTo(expected.at("/metrics/confusion"));
        assertThat(live.at("/metrics/macro_f1").asDouble()).isEqualTo(expected.at("/metrics/macro_f1").asDouble());
        assertThat(outcome("matched")).isEqualTo(ARTICLES);
        assertThat(outcome("waiting")).isEqualTo(1);

        // Every true label again: each is a duplicate now, and the figures stay as they are.
        execute(connection("feedback", "--file", input.toString(), "--topic", FEEDBACK_TOPIC).toArray(String[]::new));
        long until = System.nanoTime() + 30_000_000_000L;
        while (outcome("duplicate") < ARTICLES && System.nanoTime() < until) {
            Thread.sleep(200);
        }
        assertThat(outcome("duplicate")).isEqualTo(ARTICLES);
        assertThat(meters.get("news.feedback.window.articles").gauge().value()).isEqualTo(ARTICLES);
        assertThat(meters.get("news.drift.label.psi").gauge().value()).isFinite();
    }
}
