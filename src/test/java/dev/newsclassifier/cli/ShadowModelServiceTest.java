package dev.newsclassifier.cli;

import static dev.newsclassifier.cli.CommandResult.execute;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.newsclassifier.inference.ModelConfig;
import dev.newsclassifier.service.NewsConfig;
import dev.newsclassifier.testing.LocalKafkaStackResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * A shadow model in the running service, against a real broker: started with the service, its labels of a replay
 * run compared with the primary's by {@code evaluate --compare}, then stopped and started again at run time.
 */
@QuarkusTest
@TestProfile(ShadowModelServiceTest.Profile.class)
class ShadowModelServiceTest {

    private static final String TOKEN = "shadow-test-token";
    private static final String SHADOW_TOPIC = "shadow-test.labeled.shadow";
    private static final int ARTICLES = 40;

    public static final class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.kafka-streams.application-id", "news-classifier-shadow-test",
                    "news.topics.raw", "shadow-test.raw", "news.topics.labeled", "shadow-test.labeled",
                    "news.topics.dead-letter", "shadow-test.dead-letter", "news.topics.shadow", SHADOW_TOPIC,
                    "news.shadow.dir", "onnx/models/fast", "news.model.root", "onnx/models",
                    "news.admin.token", TOKEN);
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(LocalKafkaStackResource.class, Map.of(
                    LocalKafkaStackResource.RAW_TOPIC, "shadow-test.raw",
                    LocalKafkaStackResource.LABELED_TOPIC, "shadow-test.labeled",
                    LocalKafkaStackResource.DEAD_LETTER_TOPIC, "shadow-test.dead-letter",
                    LocalKafkaStackResource.EXTRA_TOPICS, SHADOW_TOPIC)));
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

    @TestHTTPResource("/admin/shadow")
    URI shadowAdmin;

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    private List<String> connection(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap-servers", bootstrap, "--registry-url", registryUrl));
        return all;
    }

    private String replay(Path workDir, String name) throws Exception {
        String runId = name + "-" + UUID.randomUUID().toString().substring(0, 8);
        Path input = ToolTestData.agNewsCsv(workDir.resolve(name + ".csv"), ARTICLES, 0);
        CommandResult replayed = execute(connection("replay", "--file", input.toString(), "--topic",
                config.topics().raw(), "--run-id", runId).toArray(String[]::new));
        assertThat(replayed.exit()).as("replay; err:%n%s", replayed.err()).isZero();
        return runId;
    }

    private CommandResult evaluate(String runId, Path reportDir, String... topics) {
        List<String> args = connection("evaluate", "--run-id", runId, "--expected", Integer.toString(ARTICLES),
                "--timeout", "180", "--report-dir", reportDir.toString());
        args.addAll(List.of(topics));
        return execute(args.toArray(String[]::new));
    }

    private HttpResponse<String> send(String method, String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(shadowAdmin)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private double shadowArticles() {
        return meters.find("news.shadow.articles").counters().stream().mapToDouble(c -> c.count()).sum();
    }

    @Test
    void shouldShadowTheStreamFromStartUpAndStopAndStartAtRunTime() throws Exception {
        Path workDir = Files.createTempDirectory("shadow-test-");
        String fastName = ModelConfig.read(Path.of("onnx", "models", "fast", ModelConfig.FILE_NAME)).name();
        JsonNode shadowAtStart = json.readTree(send("GET", null, null).body()).path("model");
        assertThat(shadowAtStart.path("name").asText()).isEqualTo(fastName);

        String first = replay(workDir, "shadowed");
        Path compareDir = workDir.resolve("compare");
        CommandResult compared = evaluate(first, compareDir, "--compare", config.topics().labeled(), SHADOW_TOPIC);

        assertThat(compared.exit()).as("evaluate --compare; err:%n%s", compared.err()).isZero();
        JsonNode comparison = json.readTree(compareDir.resolve("report.json").toFile()).get("comparison");
        assertThat(comparison.get("compared").asInt()).isEqualTo(ARTICLES);
        assertThat(comparison.get("agreement").asDouble()).isBetween(0.5, 1.0);
        assertThat(compared.out()).contains(fastName);
        assertThat(shadowArticles()).isEqualTo(ARTICLES);
        assertThat(meters.get("news.shadow.inference.duration").timer().count()).isPositive();
        assertThat(meters.find("news.shadow.model.info").gauges()).hasSize(1);

        assertThat(send("DELETE", null, null).statusCode()).isEqualTo(401);
        HttpResponse<String> stopped = send("DELETE", null, TOKEN);
        assertThat(stopped.statusCode()).isEqualTo(200);
        assertThat(stopped.body()).contains("shadow_stopped");
        assertThat(json.readTree(send("GET", null, null).body()).path("model").isNull()).isTrue();
        String unshadowed = replay(workDir, "unshadowed");
        assertThat(evaluate(unshadowed, workDir.resolve("unshadowed"), "--topic", config.topics().labeled()).exit())
                .isZero();
        assertThat(shadowArticles()).isEqualTo(ARTICLES);
        assertThat(meters.find("news.shadow.model.info").gauges()).isEmpty();

        HttpResponse<String> outside = send("PUT", "{\"dir\": \"../src\"}", TOKEN);
        assertThat(outside.statusCode()).isEqualTo(403);
        HttpResponse<String> started = send("PUT", "{\"dir\": \"fast\"}", TOKEN);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
        assertThat(started.body()).contains("shadow_started");
        String again = replay(workDir, "shadowed-again");
        assertThat(evaluate(again, workDir.resolve("again"), "--topic", SHADOW_TOPIC).exit()).isZero();

        assertThat(runsOnShadowTopic()).containsEntry(first, (long) ARTICLES).containsEntry(again, (long) ARTICLES)
                .doesNotContainKey(unshadowed);
    }

    /** Records on the shadow topic by replay run. */
    private Map<String, Long> runsOnShadowTopic() {
        Map<String, Long> runs = new java.util.HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "shadow-test-check-" + UUID.randomUUID(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(SHADOW_TOPIC, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(SHADOW_TOPIC, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < ends.get(partition))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    Header run = record.headers().lastHeader(ToolSupport.RUN_ID_HEADER);
                    String id = run == null ? "none" : new String(run.value(), StandardCharsets.UTF_8);
                    runs.merge(id, 1L, Long::sum);
                }
            }
        }
        return runs;
    }
}
