package dev.newsclassifier.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.newsclassifier.avro.ClassifiedArticle;
import dev.newsclassifier.faults.ModelFolders;
import dev.newsclassifier.registry.SchemaRegistryClient;
import dev.newsclassifier.testing.LocalKafkaStackResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Swapping the model of a running service over HTTP, against a real broker: the token is demanded, folders outside
 * the models root and broken models are refused while the old model keeps serving, and articles published after a
 * swap are labeled by the new model, each article exactly once.
 */
@QuarkusTest
@TestProfile(ModelSwapServiceTest.Profile.class)
class ModelSwapServiceTest {

    private static final String TOKEN = "swap-test-token";
    private static final String NEXT_VERSION = "9.0.0-swap-test";

    public static final class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.kafka-streams.application-id", "news-classifier-swap-test",
                    "news.topics.raw", "swap-test.raw", "news.topics.labeled", "swap-test.labeled",
                    "news.topics.dead-letter", "swap-test.dead-letter",
                    "news.model.root", modelsRoot().toString(), "news.admin.token", TOKEN);
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(LocalKafkaStackResource.class, Map.of(
                    LocalKafkaStackResource.RAW_TOPIC, "swap-test.raw",
                    LocalKafkaStackResource.LABELED_TOPIC, "swap-test.labeled",
                    LocalKafkaStackResource.DEAD_LETTER_TOPIC, "swap-test.dead-letter")));
        }
    }

    /** A models root of its own: the fast model under a new version, and a broken model. */
    private static Path modelsRoot() {
        try {
            Path root = Files.createTempDirectory("swap-test-models");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(root)));
            Path fast = Path.of("onnx", "models", "fast");
            ModelFolders.copyAsVersion(fast, root.resolve("next"), NEXT_VERSION);
            ModelFolders.corrupt(fast, root.resolve("broken"));
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // A temporary folder left behind is no reason to fail a test run.
        }
    }

    @Inject
    NewsConfig config;

    @Inject
    SchemaRegistryClient registry;

    @Inject
    MeterRegistry meters;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @TestHTTPResource("/admin/model")
    URI admin;

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    private HttpResponse<String> post(String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(admin).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode serving() throws Exception {
        return json.readTree(http.send(HttpRequest.newBuilder(admin).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    private double swaps(String outcome) {
        return meters.get("news.model.swaps").tag("outcome", outcome).counter().count();
    }

    @Test
    void shouldSwapTheModelWhileRunningOnlyForTheTokenAndOnlyToAGoodModelUnderTheRoot() throws Exception {
        String startUpVersion = serving().path("model").path("version").asText();
        assertThat(startUpVersion).isNotBlank().isNotEqualTo(NEXT_VERSION);

        assertThat(post("{\"dir\": \"next\"}", null).statusCode()).isEqualTo(401);
        assertThat(post("{\"dir\": \"next\"}", "wrong").statusCode()).isEqualTo(401);
        assertThat(post("not json", TOKEN).statusCode()).isEqualTo(400);
        HttpResponse<String> outside = post("{\"dir\": \"../..\"}", TOKEN);
        assertThat(outside.statusCode()).isEqualTo(403);
        assertThat(outside.body()).contains("outside the models root");
        HttpResponse<String> broken = post("{\"dir\": \"broken\"}", TOKEN);
        assertThat(broken.statusCode()).isEqualTo(422);
        assertThat(broken.body()).contains("not a loadable ONNX model");
        assertThat(serving().path("model").path("version").asText()).isEqualTo(startUpVersion);

        List<ServiceTestSupport.Sample> before = ServiceTestSupport.samples(100, "before-swap");
        ServiceTestSupport.publish(bootstrap, registry, config.topics().raw(), before);
        assertThat(labeled(100)).extracting(ClassifiedArticle::getModelVersion).containsOnly(startUpVersion);

        HttpResponse<String> swapped = post("{\"dir\": \"next\"}", TOKEN);
        assertThat(swapped.statusCode()).as(swapped.body()).isEqualTo(200);
        JsonNode answer = json.readTree(swapped.body());
        assertThat(answer.path("from").path("version").asText()).isEqualTo(startUpVersion);
        assertThat(answer.path("to").path("version").asText()).isEqualTo(NEXT_VERSION);
        assertThat(serving().path("model").path("version").asText()).isEqualTo(NEXT_VERSION);

        List<ServiceTestSupport.Sample> after = ServiceTestSupport.samples(100, "after-swap");
        ServiceTestSupport.publish(bootstrap, registry, config.topics().raw(), after);
        List<ClassifiedArticle> all = labeled(200);
        Map<String, Long> countsById = all.stream()
                .collect(Collectors.groupingBy(ClassifiedArticle::getId, Collectors.counting()));
        assertThat(countsById).hasSize(200).allSatisfy((id, count) -> assertThat(count).as(id).isEqualTo(1));
        Map<String, String> versionById = all.stream()
                .collect(Collectors.toMap(ClassifiedArticle::getId, ClassifiedArticle::getModelVersion));
        assertThat(after).allSatisfy(sample -> assertThat(versionById.get(sample.article().getId()))
                .isEqualTo(NEXT_VERSION));
        assertThat(swaps("swapped")).isEqualTo(1);
        assertThat(swaps("refused")).isEqualTo(2);
        assertThat(meters.get("news.model.info").gauge().getId().getTag("version")).isEqualTo(NEXT_VERSION);
    }

    private List<ClassifiedArticle> labeled(int count) {
        return ServiceTestSupport.readLabeled(bootstrap, registry, config.topics().labeled(), count,
                Duration.ofSeconds(120)).stream().map(ConsumerRecord::value).toList();
    }
}
