package dev.newsclassifier.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/** The client against a scripted stub server, for the failure paths a real registry will not produce on demand. */
class SchemaRegistryClientTest {

    private static final Schema SCHEMA = new Schema.Parser().parse(
            "{\"type\": \"record\", \"name\": \"Probe\", \"fields\": [{\"name\": \"id\", \"type\": \"string\"}]}");
    private static final String SCHEMA_ANSWER = "{\"schema\": " + quote(SCHEMA.toString()) + "}";

    private static HttpServer stub;
    private static ExecutorService stubThreads;
    private static volatile Responder responder;
    private static final List<Request> requests = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startStub() throws IOException {
        stub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        stubThreads = Executors.newFixedThreadPool(2);
        stub.setExecutor(stubThreads);
        stub.createContext("/", SchemaRegistryClientTest::handle);
        stub.start();
    }

    @AfterAll
    static void stopStub() {
        stub.stop(0);
        stubThreads.shutdownNow();
    }

    @BeforeEach
    void reset() {
        requests.clear();
        responder = request -> new Response(500, "{\"error_code\": 50001, \"message\": \"not scripted\"}", 0);
    }

    @Test
    void shouldFetchSchemaByIdWithConfluentMediaTypeAndCacheIt() {
        responder = request -> new Response(200, SCHEMA_ANSWER, 0);
        SchemaRegistryClient client = SchemaRegistryClient.create(stubUrl());

        assertThat(client.schemaById(7)).isEqualTo(SCHEMA);
        assertThat(client.schemaById(7)).isEqualTo(SCHEMA);

        assertThat(requests).hasSize(1);
        assertThat(requests.get(0).method()).isEqualTo("GET");
        assertThat(requests.get(0).path()).isEqualTo("/schemas/ids/7");
        assertThat(requests.get(0).accept()).isEqualTo("application/vnd.schemaregistry.v1+json");
    }

    @Test
    void shouldRegisterByPostingSchemaToSubjectVersionsAndCacheTheId() {
        responder = request -> new Response(200, "{\"id\": 42}", 0);
        SchemaRegistryClient client = SchemaRegistryClient.create(stubUrl());

        assertThat(client.register("news raw-value", SCHEMA)).isEqualTo(42);
        assertThat(client.register("news raw-value", SCHEMA)).isEqualTo(42);
        assertThat(client.schemaById(42)).isEqualTo(SCHEMA);

        assertThat(requests).hasSize(1);
        assertThat(requests.get(0).method()).isEqualTo("POST");
        assertThat(requests.get(0).rawPath()).isEqualTo("/subjects/news%20raw-value/versions");
        assertThat(requests.get(0).body()).isEqualTo("{\"schema\":" + quote(SCHEMA.toString()) + "}");
    }

    @Test
    void shouldFailOverToTheNextUrlWhenTheFirstIsUnreachable() {
        responder = request -> new Response(200, SCHEMA_ANSWER, 0);
        SchemaRegistryClient client = SchemaRegistryClient.create("http://127.0.0.1:" + closedPort() + ","
                + stubUrl());

        assertThat(client.schemaById(3)).isEqualTo(SCHEMA);
        assertThat(client.urls()).hasSize(2);
    }

    @Test
    void shouldRetryGetsOnServerErrorsThenReportUnavailable() {
        responder = request -> new Response(503, "<html>Service Unavailable</html>", 0);
        SchemaRegistryClient client = SchemaRegistryClient.builder(stubUrl())
                .getRetries(3, Duration.ofMillis(10)).build();

        assertThatThrownBy(() -> client.schemaById(5))
                .isInstanceOfSatisfying(SchemaRegistryUnavailableException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(503);
                    assertThat(e.getMessage()).contains("503").contains("/schemas/ids/5");
                });
        assertThat(requests).hasSize(3);
    }

    @Test
    void shouldNotRetryPostsOnServerErrors() {
        responder = request -> new Response(500, "{\"error_code\": 50001, \"message\": \"store down\"}", 0);
        SchemaRegistryClient client = SchemaRegistryClient.builder(stubUrl())
                .getRetries(3, Duration.ofMillis(10)).build();

        assertThatThrownBy(() -> client.register("s-value", SCHEMA))
                .isInstanceOfSatisfying(SchemaRegistryUnavailableException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(50001));
        assertThat(requests).hasSize(1);
    }

    @Test
    void shouldReportUnreachableRegistryAsUnavailable() {
        SchemaRegistryClient client = SchemaRegistryClient.builder("http://127.0.0.1:" + closedPort())
                .getRetries(2, Duration.ofMillis(10)).build();

        assertThatThrownBy(() -> client.schemaById(1))
                .isInstanceOfSatisfying(SchemaRegistryUnavailableException.class,
                        e -> assertThat(e.httpStatus()).isEqualTo(-1))
                .hasMessageContaining("unreachable");
    }

    @Test
    void shouldReportSlowRegistryAsUnavailableAfterTheRequestTimeout() {
        responder = request -> new Response(200, SCHEMA_ANSWER, 2000);
        SchemaRegistryClient client = SchemaRegistryClient.builder(stubUrl())
                .requestTimeout(Duration.ofMillis(300)).getRetries(1, Duration.ofMillis(10)).build();

        assertThatThrownBy(() -> client.schemaById(9))
                .isInstanceOf(SchemaRegistryUnavailableException.class)
                .hasMessageContaining("did not answer");
    }

    @Test
    void shouldMapConfluentErrorsToNamedExceptions() {
        SchemaRegistryClient client = SchemaRegistryClient.create(stubUrl());

        responder = request -> new Response(404, "{\"error_code\": 40403, \"message\": \"Schema not found\"}", 0);
        assertThatThrownBy(() -> client.schemaById(11))
                .isInstanceOfSatisfying(SchemaNotFoundException.class, e -> {
                    assertThat(e.schemaId()).hasValue(11);
                    assertThat(e.errorCode()).isEqualTo(40403);
                });
        assertThat(requests).hasSize(1);

        responder = request -> new Response(404, "{\"error_code\": 40401, \"message\": \"Subject not found\"}", 0);
        assertThatThrownBy(() -> client.lookupId("missing-value", SCHEMA))
                .isInstanceOfSatisfying(SchemaNotFoundException.class, e -> {
                    assertThat(e.subject()).contains("missing-value");
                    assertThat(e.errorCode()).isEqualTo(40401);
                });

        responder = request -> new Response(409, "{\"error_code\": 409, \"message\": \"incompatible\"}", 0);
        assertThatThrownBy(() -> client.register("s-value", SCHEMA))
                .isInstanceOfSatisfying(IncompatibleSchemaException.class,
                        e -> assertThat(e.subject()).isEqualTo("s-value"));

        responder = request -> new Response(422, "{\"error_code\": 42201, \"message\": \"Invalid schema\"}", 0);
        assertThatThrownBy(() -> client.register("s-value", SCHEMA))
                .isInstanceOfSatisfying(InvalidSchemaException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(42201));
    }

    @Test
    void shouldSendBasicAuthWithoutEverShowingThePassword() {
        responder = request -> new Response(401, "{\"error_code\": 401, \"message\": \"Unauthorized\"}", 0);
        SchemaRegistryClient client = SchemaRegistryClient.builder(stubUrl()).basicAuth("reader:s3cret-pw").build();

        assertThatThrownBy(() -> client.schemaById(1))
                .isExactlyInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("401")
                .hasMessageContaining("basic.auth.user.info")
                .hasMessageNotContaining("s3cret-pw");
        assertThat(requests).hasSize(1);
        assertThat(requests.get(0).authorization()).isEqualTo("Basic "
                + Base64.getEncoder().encodeToString("reader:s3cret-pw".getBytes(StandardCharsets.UTF_8)));
        assertThat(client.toString()).contains(stubUrl()).contains("basicAuth=true").doesNotContain("s3cret-pw")
                .doesNotContain("reader");
    }

    @Test
    void shouldRejectCredentialsInTheUrl() {
        assertThatThrownBy(() -> SchemaRegistryClient.create("http://user:pw@127.0.0.1:8081"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("pw")
                .hasMessageContaining("basic auth");
    }

    private static void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    exchange.getRequestURI().getRawPath(), body,
                    exchange.getRequestHeaders().getFirst("Accept"),
                    exchange.getRequestHeaders().getFirst("Authorization"));
            requests.add(request);
            Response response = responder.respond(request);
            if (response.delayMillis() > 0) {
                try {
                    Thread.sleep(response.delayMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] bytes = response.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", SchemaRegistryClient.CONTENT_TYPE);
            exchange.sendResponseHeaders(response.status(), bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            } catch (IOException e) {
                // The client gave up waiting (timeout test); nothing to deliver to.
            }
        }
    }

    private static String stubUrl() {
        return "http://127.0.0.1:" + stub.getAddress().getPort();
    }

    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private record Request(String method, String path, String rawPath, String body, String accept,
            String authorization) {
    }

    private record Response(int status, String body, long delayMillis) {
    }

    @FunctionalInterface
    private interface Responder {
        Response respond(Request request);
    }
}
