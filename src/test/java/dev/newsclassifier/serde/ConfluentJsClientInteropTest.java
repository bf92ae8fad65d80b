package dev.newsclassifier.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.newsclassifier.avro.ClassifiedArticle;
import dev.newsclassifier.avro.NewsArticle;
import dev.newsclassifier.local.LocalKafkaStack;
import dev.newsclassifier.local.LocalSchemaRegistry;
import dev.newsclassifier.local.LocalTopics;
import dev.newsclassifier.local.RegistryKind;
import dev.newsclassifier.registry.SchemaRegistryClient;
import dev.newsclassifier.testing.TestRegistries;

/**
 * Proves the wire format and the built-in registry against Confluent's official JavaScript client
 * ({@code @confluentinc/schemaregistry}, driven by {@code src/test/js/interop/interop.js}): bytes written by one side
 * are read by the other; {@link ApicurioConfluentJsClientInteropTest} runs the same with Apicurio Registry. Skipped
 * when {@code npm ci --prefix src/test/js/interop} has not been run, unless {@code NEWS_CLASSIFIER_REQUIRE_NODE=1},
 * which CI sets, turns that into a failure; {@link TestRegistries} does the same for a registry that cannot run.
 * One instance per class, so that the registry can be chosen by {@link #registryKind()}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConfluentJsClientInteropTest {

    private static final Path INTEROP_DIR = Path.of("src", "test", "js", "interop");
    private static final Path JS_CLIENT = INTEROP_DIR.resolve(Path.of("node_modules", "@confluentinc",
            "schemaregistry", "package.json"));
    private static final long NODE_TIMEOUT_SECONDS = 60;
    private static final ObjectMapper JSON = new ObjectMapper();

    private LocalKafkaStack stack;
    private SchemaRegistryClient client;

    @TempDir
    Path tempDir;

    private String missing;

    RegistryKind registryKind() {
        return RegistryKind.BUILT_IN;
    }

    @BeforeAll
    void startStackIfJsClientInstalled() {
        missing = Files.isRegularFile(JS_CLIENT) ? null
                : "Confluent's JS client is not installed (" + JS_CLIENT + " missing); run"
                        + " `npm ci --prefix src/test/js/interop`";
        if (missing != null && "1".equals(System.getenv("NEWS_CLASSIFIER_REQUIRE_NODE"))) {
            fail(missing + " (NEWS_CLASSIFIER_REQUIRE_NODE=1 makes this a failure)");
        }
        if (missing == null) {
            missing = TestRegistries.unavailable(registryKind()).orElse(null);
        }
        if (missing == null) {
            stack = LocalKafkaStack.builder().registry(registryKind()).start();
            client = SchemaRegistryClient.create(stack.registryUrl());
        }
    }

    @BeforeEach
    void skipWithoutJsClientOrRegistry() {
        // Assumed per test, not per class, so that the reports list each test as skipped with this reason.
        assumeTrue(missing == null, missing);
    }

    @AfterAll
    void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldDecodeRecordWrittenByConfluentJsClient() throws Exception {
        Path value = tempDir.resolve("article.json");
        Files.writeString(value, """
                {"id": "js-1", "title": "Élection: résultats", "description": "Lead paragraph",
                 "source": "AFP", "url": "https://example.com/js-1", "published_at": 1700000000123,
                 "language": "fr", "author": null, "attributes": {"feed": "world", "region": "eu"}}""");

        String base64 = node("serialize", stack.registryUrl(), LocalTopics.RAW,
                Path.of("schemas", "NewsArticle.avsc").toAbsolutePath().toString(), value.toString());
        byte[] bytes = Base64.getDecoder().decode(base64.trim());
        NewsArticle article = new ConfluentAvroDeserializer<>(client, NewsArticle.class)
                .deserialize(LocalTopics.RAW, bytes);

        assertThat(bytes[0]).isZero();
        assertThat(article.getId()).isEqualTo("js-1");
        assertThat(article.getTitle()).isEqualTo("Élection: résultats");
        assertThat(article.getDescription()).isEqualTo("Lead paragraph");
        assertThat(article.getSource()).isEqualTo("AFP");
        assertThat(article.getUrl()).isEqualTo("https://example.com/js-1");
        assertThat(article.getPublishedAt()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_123L));
        assertThat(article.getLanguage()).isEqualTo("fr");
        assertThat(article.getAuthor()).isNull();
        assertThat(article.getAttributes()).isEqualTo(Map.of("feed", "world", "region", "eu"));
        // The JS client registered the .avsc as written, under the TopicNameStrategy subject.
        assertThat(client.latestVersion(LocalTopics.RAW + "-value").schema())
                .isEqualTo(new Schema.Parser().parse(Path.of("schemas", "NewsArticle.avsc").toFile()));
        assertEveryRequestServed();
    }

    @Test
    void shouldProduceRecordThatConfluentJsClientDecodes() throws Exception {
        ClassifiedArticle classified = ClassifiedArticle.newBuilder()
                .setId("java-1")
                .setTitle("Cup final")
                .setDescription("A late goal decided it.")
                .setSource("BBC")
                .setUrl(null)
                .setPublishedAt(Instant.ofEpochMilli(1_700_000_000_500L))
                .setLanguage("en")
                .setLabel("Sports")
                .setLabelIndex(1)
                .setConfidence(0.875f)
                .setScores(Map.of("Sports", 0.875f, "World", 0.125f))
                .setTruncated(false)
                .setModelName("news-bert")
                .setModelVersion("2.1.0")
                .setClassifiedAt(Instant.ofEpochMilli(1_700_000_999_000L))
                .setAttributes(Map.of("feed", "sport"))
                .build();
        byte[] bytes = new ConfluentAvroSerializer<ClassifiedArticle>(client)
                .serialize(LocalTopics.LABELED, classified);

        JsonNode decoded = JSON.readTree(node("deserialize", stack.registryUrl(), LocalTopics.LABELED,
                Base64.getEncoder().encodeToString(bytes)));

        assertThat(decoded.path("id").asText()).isEqualTo("java-1");
        assertThat(decoded.path("title").asText()).isEqualTo("Cup final");
        assertThat(decoded.path("description").asText()).isEqualTo("A late goal decided it.");
        assertThat(decoded.path("source").asText()).isEqualTo("BBC");
        assertThat(decoded.get("url").isNull()).isTrue();
        assertThat(decoded.path("published_at").asLong()).isEqualTo(1_700_000_000_500L);
        assertThat(decoded.path("language").asText()).isEqualTo("en");
        assertThat(decoded.path("label").asText()).isEqualTo("Sports");
        assertThat(decoded.path("label_index").asInt()).isEqualTo(1);
        assertThat(decoded.path("confidence").floatValue()).isEqualTo(0.875f);
        assertThat(decoded.path("scores").path("Sports").floatValue()).isEqualTo(0.875f);
        assertThat(decoded.path("scores").path("World").floatValue()).isEqualTo(0.125f);
        assertThat(decoded.path("scores").size()).isEqualTo(2);
        assertThat(decoded.path("truncated").isBoolean()).isTrue();
        assertThat(decoded.path("truncated").asBoolean()).isFalse();
        assertThat(decoded.path("model_name").asText()).isEqualTo("news-bert");
        assertThat(decoded.path("model_version").asText()).isEqualTo("2.1.0");
        assertThat(decoded.path("classified_at").asLong()).isEqualTo(1_700_000_999_000L);
        assertThat(decoded.path("attributes").path("feed").asText()).isEqualTo("sport");
        assertEveryRequestServed();
    }

    /**
     * Only the built-in registry records the requests it had no endpoint for. Apicurio answers the JS client's
     * {@code /associations} lookup with 404, after which the client falls back to the TopicNameStrategy subject, as the
     * decoded values above show.
     */
    private void assertEveryRequestServed() {
        if (stack.registry() instanceof LocalSchemaRegistry builtIn) {
            assertThat(builtIn.unhandledRequests()).isEmpty();
        }
    }

    /** Runs interop.js with a timeout and returns its stdout; fails with its stderr when it exits non-zero. */
    private String node(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("node", "interop.js"));
        command.addAll(List.of(args));
        Path stderr = tempDir.resolve("node-stderr.txt");
        Process process = new ProcessBuilder(command)
                .directory(INTEROP_DIR.toFile())
                .redirectError(stderr.toFile())
                .start();
        CompletableFuture<byte[]> stdout = CompletableFuture.supplyAsync(() -> {
            try {
                return process.getInputStream().readAllBytes();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        if (!process.waitFor(NODE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            fail("node " + String.join(" ", args) + " did not finish within " + NODE_TIMEOUT_SECONDS + " s; stderr: "
                    + Files.readString(stderr));
        }
        String out = new String(stdout.join(), StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            fail("node " + args[0] + " exited " + process.exitValue() + "; stderr: " + Files.readString(stderr));
        }
        return out;
    }
}
