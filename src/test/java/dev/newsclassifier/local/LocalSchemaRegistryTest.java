package dev.newsclassifier.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Set;

import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.newsclassifier.registry.IncompatibleSchemaException;
import dev.newsclassifier.registry.SchemaRegistryClient;

/**
 * The built-in registry's own behaviour: its HTTP answers, compatibility levels, restarts and broker outages. What
 * every registry must do for the client is {@code SchemaRegistryClientInteropTest}'s, against this one and Apicurio.
 */
class LocalSchemaRegistryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Schema V1 = record("{\"name\": \"id\", \"type\": \"string\"}");
    private static final Schema V2_WITH_DEFAULT = record("{\"name\": \"id\", \"type\": \"string\"},"
            + " {\"name\": \"lang\", \"type\": \"string\", \"default\": \"en\"}");
    private static final Schema V2_WITHOUT_DEFAULT = record("{\"name\": \"id\", \"type\": \"string\"},"
            + " {\"name\": \"lang\", \"type\": \"string\"}");

    private static EmbeddedKafkaBroker broker;
    private static LocalSchemaRegistry registry;
    private static SchemaRegistryClient client;

    @BeforeAll
    static void startStack() {
        broker = EmbeddedKafkaBroker.create().start();
        registry = LocalSchemaRegistry.builder(broker).build().start();
        client = SchemaRegistryClient.create(registry.url());
    }

    @AfterAll
    static void stopStack() {
        if (registry != null) {
            registry.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void shouldExplainIncompatibilityWhenAskedVerbosely() throws Exception {
        client.register("incompatible-value", V1);

        assertThatThrownBy(() -> client.register("incompatible-value", V2_WITHOUT_DEFAULT))
                .isInstanceOfSatisfying(IncompatibleSchemaException.class,
                        e -> assertThat(e.getMessage()).contains("BACKWARD").contains("lang"));
        JsonNode check = post("/compatibility/subjects/incompatible-value/versions/latest?verbose=true",
                V2_WITHOUT_DEFAULT, 200);
        assertThat(check.path("is_compatible").asBoolean(true)).isFalse();
        assertThat(check.path("messages")).isNotEmpty();
    }

    @Test
    void shouldListSubjectsAndVersionsOfACompatibleEvolution() throws Exception {
        int v1 = client.register("evolving-value", V1);
        JsonNode check = post("/compatibility/subjects/evolving-value/versions/latest", V2_WITH_DEFAULT, 200);
        client.register("evolving-value", V2_WITH_DEFAULT);

        assertThat(check.path("is_compatible").asBoolean()).isTrue();
        assertThat(get("/subjects/evolving-value/versions", 200)).hasSize(2);
        assertThat(get("/subjects/evolving-value/versions/1", 200).path("id").asInt()).isEqualTo(v1);
        assertThat(get("/subjects", 200).toString()).contains("\"evolving-value\"");
    }

    @Test
    void shouldApplyCompatibilityLevelSetPerSubject() throws Exception {
        client.register("forward-value", V1);
        assertThat(put("/config/forward-value", "{\"compatibility\": \"FORWARD\"}", 200).path("compatibility")
                .asText()).isEqualTo("FORWARD");

        // FORWARD: old readers must read new data; a new required field is fine, removing one is not.
        int withRequiredField = client.register("forward-value", V2_WITHOUT_DEFAULT);
        assertThat(withRequiredField).isPositive();
        assertThatThrownBy(() -> client.register("forward-value", record("{\"name\": \"lang\", \"type\": \"string\"}")))
                .isInstanceOf(IncompatibleSchemaException.class);
        assertThat(get("/config/forward-value", 200).path("compatibilityLevel").asText()).isEqualTo("FORWARD");
        assertThat(get("/config", 200).path("compatibilityLevel").asText()).isEqualTo("BACKWARD");
        assertThat(get("/config/other-value", 404).path("error_code").asInt()).isEqualTo(40408);
        assertThat(put("/config/forward-value", "{\"compatibility\": \"SIDEWAYS\"}", 422).path("error_code")
                .asInt()).isEqualTo(42203);
    }

    @Test
    void shouldAnswerConfluentStyleErrors() throws Exception {
        client.register("errors-value", V1);

        assertThat(get("/schemas/ids/999999", 404).path("error_code").asInt()).isEqualTo(40403);
        assertThat(get("/subjects/nobody-value/versions/latest", 404).path("error_code").asInt()).isEqualTo(40401);
        assertThat(get("/subjects/errors-value/versions/7", 404).path("error_code").asInt()).isEqualTo(40402);
        JsonNode invalid = post("/subjects/errors-value/versions?normalize=false",
                "{\"schema\": \"{\\\"type\\\": \\\"nonsense\\\"}\"}", 422);
        assertThat(invalid.path("error_code").asInt()).isEqualTo(42201);
        assertThat(invalid.path("message").asText()).startsWith("Invalid schema");
    }

    @Test
    void shouldServeRawSchemaAndIgnoreUnknownQueryParameters() throws Exception {
        int id = client.register("raw-value", V1);

        assertThat(new Schema.Parser().parse(get("/schemas/ids/" + id + "/schema", 200).toString())).isEqualTo(V1);
        assertThat(get("/schemas/ids/" + id + "?subject=raw-value&format=x", 200).path("schema").asText())
                .isEqualTo(V1.toString());
        assertThat(get("/schemas/ids/" + id + "/subjects", 200).toString()).contains("raw-value");
        assertThat(get("/schemas/types", 200).toString()).isEqualTo("[\"AVRO\"]");
        assertThat(get("/associations/resources/-/raw?resourceType=topic&associationType=value", 200)).isEmpty();
        assertThat(registry.unhandledRequests()).isEmpty();
        get("/no/such/endpoint", 404);
        assertThat(registry.unhandledRequests()).containsExactly("GET /no/such/endpoint");
    }

    @Test
    void shouldKeepIdsAcrossARestartOnTheSameBroker() {
        int v1 = client.register("restart-value", V1);
        int v2 = client.register("restart-value", V2_WITH_DEFAULT);
        int port = registry.port();

        registry.close();
        registry = LocalSchemaRegistry.builder(broker.bootstrapServers()).port(port).build().start();

        SchemaRegistryClient fresh = SchemaRegistryClient.create(registry.url());
        assertThat(fresh.lookupId("restart-value", V1)).isEqualTo(v1);
        assertThat(fresh.schemaById(v2)).isEqualTo(V2_WITH_DEFAULT);
        assertThat(fresh.latestVersion("restart-value").version()).isEqualTo(2);
        int next = fresh.register("restart-other-value", record("{\"name\": \"other\", \"type\": \"int\"}"));
        assertThat(next).isGreaterThan(v2);
    }

    @Test
    void shouldServeKnownSchemasWhileTheBrokerIsDownAndStoreAgainAfterItsRestart() {
        int id = client.register("broker-outage-value", V1);

        broker.stop();
        try {
            SchemaRegistryClient fresh = SchemaRegistryClient.create(registry.url());
            assertThat(fresh.schemaById(id)).isEqualTo(V1);
            assertThat(fresh.lookupId("broker-outage-value", V1)).isEqualTo(id);
        } finally {
            broker.start();
        }

        int evolved = client.register("broker-outage-value", V2_WITH_DEFAULT);
        assertThat(client.latestVersion("broker-outage-value").id()).isEqualTo(evolved);
    }

    @Test
    void shouldCreateItsOwnCompactedTopicOnAnyCluster() throws Exception {
        try (LocalSchemaRegistry other = LocalSchemaRegistry.builder(broker.bootstrapServers())
                .topic("_schemas_other").build().start()) {
            int id = SchemaRegistryClient.create(other.url()).register("other-value", V1);
            assertThat(SchemaRegistryClient.create(other.url()).schemaById(id)).isEqualTo(V1);
        }
        try (Admin admin = Admin.create(broker.adminConfig())) {
            var resource = new ConfigResource(ConfigResource.Type.TOPIC, "_schemas_other");
            assertThat(admin.describeConfigs(Set.of(resource)).all().get().get(resource)
                    .get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
        }
    }

    private static Schema record(String fields) {
        return new Schema.Parser().parse("{\"type\": \"record\", \"name\": \"Probe\", \"namespace\": \"test\","
                + " \"fields\": [" + fields + "]}");
    }

    private static JsonNode get(String path, int expectedStatus) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(registry.url() + path)).GET(), expectedStatus);
    }

    private static JsonNode post(String path, Schema schema, int expectedStatus) throws Exception {
        return post(path, JSON.createObjectNode().put("schema", schema.toString()).toString(), expectedStatus);
    }

    private static JsonNode post(String path, String body, int expectedStatus) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(registry.url() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)), expectedStatus);
    }

    private static JsonNode put(String path, String body, int expectedStatus) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(registry.url() + path))
                .PUT(HttpRequest.BodyPublishers.ofString(body)), expectedStatus);
    }

    private static JsonNode send(HttpRequest.Builder request, int expectedStatus) throws Exception {
        HttpResponse<String> response = HTTP.send(request
                .header("Content-Type", SchemaRegistryClient.CONTENT_TYPE).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(expectedStatus);
        assertThat(response.headers().firstValue("Content-Type")).contains(SchemaRegistryClient.CONTENT_TYPE);
        return JSON.readTree(response.body());
    }

}
