package dev.newsclassifier.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.newsclassifier.registry.SchemaRegistryClient;
import dev.newsclassifier.testing.TestRegistries;

/**
 * Apicurio Registry as this project runs it: a child process serving the Confluent API with a global BACKWARD rule,
 * keeping schemas and port across a restart. Also pins the differences from Confluent's registry that the README
 * lists, so that a new Apicurio version that changes them shows up here.
 */
class ApicurioRegistryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Schema PROBE = new Schema.Parser().parse(
            "{\"type\": \"record\", \"name\": \"Probe\", \"fields\": [{\"name\": \"id\", \"type\": \"string\"}]}");

    private static ApicurioRegistry registry;
    private static String unavailable;

    @BeforeAll
    static void startRegistry() {
        unavailable = TestRegistries.unavailable(RegistryKind.APICURIO).orElse(null);
        if (unavailable == null) {
            registry = ApicurioRegistry.builder().build().start();
        }
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void shouldServeTheConfluentApiWithBackwardCompatibilityForEverySubject() throws Exception {
        assumeTrue(unavailable == null, unavailable);

        assertThat(registry.url()).matches("http://127\\.0\\.0\\.1:\\d+/apis/ccompat/v7");
        assertThat(registry.description()).isEqualTo("Apicurio Registry 3.3.3");
        assertThat(get("/config", 200).path("compatibilityLevel").asText()).isEqualTo("BACKWARD");
        assertThat(get("/schemas/types", 200).toString()).contains("\"AVRO\"");
    }

    @Test
    void shouldKeepSchemasAndPortAcrossARestartAndLeaveNoProcessBehind() {
        assumeTrue(unavailable == null, unavailable);
        int id = SchemaRegistryClient.create(registry.url()).register("restart-value", PROBE);
        int port = registry.port();
        ProcessHandle first = registry.processHandle().orElseThrow();

        registry.stop();

        assertThat(first.isAlive()).isFalse();
        assertThat(registry.isRunning()).isFalse();
        registry.start();
        assertThat(registry.port()).isEqualTo(port);
        assertThat(registry.processHandle().orElseThrow().pid()).isNotEqualTo(first.pid());
        SchemaRegistryClient fresh = SchemaRegistryClient.create(registry.url());
        assertThat(fresh.schemaById(id)).isEqualTo(PROBE);
        assertThat(fresh.lookupId("restart-value", PROBE)).isEqualTo(id);
    }

    @Test
    void shouldGiveTheSameSchemaFormattedDifferentlyAnotherIdOnlyInAnotherSubject() throws Exception {
        assumeTrue(unavailable == null, unavailable);
        String compact = PROBE.toString();
        String spaced = compact.replace(",", ", ");

        int compactId = post("/subjects/text-a-value/versions", compact).path("id").asInt();
        int spacedSameSubject = post("/subjects/text-a-value/versions", spaced).path("id").asInt();
        int spacedOtherSubject = post("/subjects/text-b-value/versions", spaced).path("id").asInt();
        int compactOtherSubject = post("/subjects/text-c-value/versions", compact).path("id").asInt();

        assertThat(new Schema.Parser().parse(spaced)).isEqualTo(PROBE);
        assertThat(spacedSameSubject).isEqualTo(compactId);
        assertThat(spacedOtherSubject).isNotEqualTo(compactId);
        assertThat(compactOtherSubject).isEqualTo(compactId);
    }

    @Test
    void shouldAnswerTheAssociationsLookupOfConfluentsJsClientWith404() throws Exception {
        assumeTrue(unavailable == null, unavailable);

        get("/associations/resources/-/news.raw?resourceType=topic&associationType=value", 404);
    }

    @Test
    void shouldSayHowToFetchADistributionThatIsMissing(@TempDir Path empty) {
        assertThatThrownBy(() -> ApicurioRegistry.builder().distribution(empty).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not unpacked in " + empty.toAbsolutePath())
                .hasMessageContaining("./mvnw -q dependency:unpack@apicurio-registry")
                .hasMessageContaining(ApicurioRegistry.DIR_ENV);
    }

    private static JsonNode get(String path, int expectedStatus) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(registry.url() + path)).GET(), expectedStatus);
    }

    private static JsonNode post(String path, String schema) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(registry.url() + path)).header("Content-Type",
                SchemaRegistryClient.CONTENT_TYPE).POST(HttpRequest.BodyPublishers.ofString(
                        JSON.createObjectNode().put("schema", schema).toString())), 200);
    }

    private static JsonNode send(HttpRequest.Builder request, int expectedStatus) throws Exception {
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(expectedStatus);
        return response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
    }
}
