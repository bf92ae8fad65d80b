package dev.newsclassifier.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;

import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * The local/test Schema Registry: a small server speaking the part of the Confluent Schema Registry REST API that
 * serializers use, for Avro schemas only. Single node, plain HTTP and no auth by default, no deletes, no references;
 * not for production. It exists because no Confluent-API registry can be run where this project is built and tested.
 *
 * <p>Like Confluent's, it keeps its state in a compacted Kafka topic (default {@value #DEFAULT_TOPIC}, 1 partition)
 * and rebuilds it from there on start, so schema ids survive restarts; a change is answered only after Kafka
 * acknowledged it. Registering a schema a subject already holds returns the same id, and an identical schema under
 * another subject gets the same global id. New versions are checked against the subject's compatibility level
 * (BACKWARD unless changed with {@code PUT /config}) with Avro's {@link org.apache.avro.SchemaCompatibility}.
 *
 * <p>Endpoints: {@code POST /subjects/{s}/versions}, {@code POST /subjects/{s}}, {@code GET /schemas/ids/{id}},
 * {@code GET /schemas/ids/{id}/schema}, {@code GET /schemas/ids/{id}/subjects}, {@code GET /schemas/types},
 * {@code GET /subjects}, {@code GET /subjects/{s}/versions}, {@code GET /subjects/{s}/versions/{v|latest}},
 * {@code GET /subjects/{s}/versions/{v|latest}/schema}, {@code GET|PUT /config}, {@code GET|PUT /config/{s}},
 * {@code POST /compatibility/subjects/{s}/versions/{v|latest}}, and {@code GET /associations/resources/{ns}/{topic}}
 * (always empty: asked by Confluent's JavaScript client 1.10+, which then falls back to TopicNameStrategy).
 * Unknown query parameters are ignored; unknown paths
 * answer 404 and are logged at WARN, so a client needing more shows up in the log.
 */
public final class LocalSchemaRegistry implements SchemaRegistryServer {

    /** The topic the registry keeps its schemas in unless told otherwise, as Confluent's does. */
    public static final String DEFAULT_TOPIC = "_schemas";

    private static final Logger LOG = Logger.getLogger(LocalSchemaRegistry.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private final EmbeddedKafkaBroker broker;
    private final String bootstrapServers;
    private final String topic;
    /** 0 until the first start picks a free port; restarts then listen on that one again. */
    private int requestedPort;
    private final String requiredAuthorization;
    private final SSLContext sslContext;
    private final List<String> unhandledRequests = new CopyOnWriteArrayList<>();
    private HttpServer server;
    private ExecutorService executor;
    private SchemaStore store;

    private LocalSchemaRegistry(Builder builder) {
        this.broker = builder.broker;
        this.bootstrapServers = builder.bootstrapServers;
        this.topic = builder.topic;
        this.requestedPort = builder.port;
        this.requiredAuthorization = builder.basicAuth == null ? null : "Basic "
                + Base64.getEncoder().encodeToString(builder.basicAuth.getBytes(StandardCharsets.UTF_8));
        this.sslContext = builder.sslContext;
    }

    /** A registry keeping its schemas on this broker, which creates the schema topic if missing. */
    public static Builder builder(EmbeddedKafkaBroker broker) {
        return new Builder(broker, null);
    }

    /**
     * A registry keeping its schemas on any Kafka cluster; the schema topic is created (compacted, 1 partition,
     * replication factor 1) if missing.
     */
    public static Builder builder(String bootstrapServers) {
        return new Builder(null, bootstrapServers);
    }

    /** Creates the schema topic if needed, replays it, then serves HTTP (or HTTPS) on 127.0.0.1. */
    @Override
    public synchronized LocalSchemaRegistry start() {
        if (server != null) {
            return this;
        }
        NewTopic schemaTopic = new NewTopic(topic, 1, (short) 1)
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        String servers;
        if (broker != null) {
            broker.createTopics(List.of(schemaTopic));
            servers = broker.bootstrapServers();
        } else {
            createTopicIfMissing(bootstrapServers, schemaTopic);
            servers = bootstrapServers;
        }
        store = new SchemaStore(servers, topic);
        AtomicInteger threads = new AtomicInteger();
        executor = Executors.newFixedThreadPool(4, r -> {
            Thread thread = new Thread(r, "local-schema-registry-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        try {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), requestedPort);
            if (sslContext == null) {
                server = HttpServer.create(address, 0);
            } else {
                HttpsServer https = HttpsServer.create(address, 0);
                https.setHttpsConfigurator(new HttpsConfigurator(sslContext));
                server = https;
            }
        } catch (IOException e) {
            store.close();
            executor.shutdownNow();
            throw new UncheckedIOException("local Schema Registry cannot listen on 127.0.0.1:" + requestedPort, e);
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        requestedPort = server.getAddress().getPort();
        LOG.infof("local Schema Registry serving %s, schemas in topic %s", url(), topic);
        return this;
    }

    /** {@code http://127.0.0.1:port} (or {@code https://}), the base URL for clients. */
    @Override
    public synchronized String url() {
        if (server == null) {
            throw new IllegalStateException("local Schema Registry is not running");
        }
        return (sslContext == null ? "http" : "https") + "://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public synchronized boolean isRunning() {
        return server != null;
    }

    @Override
    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("local Schema Registry is not running");
        }
        return server.getAddress().getPort();
    }

    /**
     * The requests ({@code METHOD /path}) this registry had no endpoint for since it started, so a test can show
     * that a client needs nothing beyond what is served.
     */
    public List<String> unhandledRequests() {
        return List.copyOf(unhandledRequests);
    }

    @Override
    public String description() {
        return "local schema registry";
    }

    /** The same as {@link #close()}: the schemas stay in the Kafka topic either way. */
    @Override
    public void stop() {
        close();
    }

    /** Stops serving and releases the port; the schemas stay in the Kafka topic. */
    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
        server = null;
    }

    private static void createTopicIfMissing(String servers, NewTopic schemaTopic) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers))) {
            admin.createTopics(List.of(schemaTopic)).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create schema topic " + schemaTopic.name() + " on " + servers
                        + ": " + e.getCause().getMessage(), e.getCause());
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka at " + servers + " did not create schema topic "
                    + schemaTopic.name() + " within 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating schema topic " + schemaTopic.name(), e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        LOG.debugf("%s %s", exchange.getRequestMethod(), exchange.getRequestURI());
        try (exchange) {
            int status = 200;
            JsonNode answer;
            try {
                if (requiredAuthorization != null
                        && !requiredAuthorization.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                    throw new RegistryError(401, 401, "Unauthorized");
                }
                answer = route(exchange.getRequestMethod(), segments(exchange), query(exchange), exchange);
            } catch (RegistryError e) {
                status = e.status();
                answer = JSON.createObjectNode().put("error_code", e.errorCode()).put("message", e.getMessage());
            } catch (RuntimeException e) {
                LOG.warnf(e, "local Schema Registry failed on %s %s", exchange.getRequestMethod(),
                        exchange.getRequestURI());
                status = 500;
                answer = JSON.createObjectNode().put("error_code", 50001).put("message", String.valueOf(e));
            }
            byte[] body = JSON.writeValueAsBytes(answer);
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private JsonNode route(String method, List<String> path, Map<String, String> query, HttpExchange exchange)
            throws IOException {
        int size = path.size();
        String first = size > 0 ? path.get(0) : "";
        if (size == 0 && "GET".equals(method)) {
            return JSON.createObjectNode();
        }
        if ("schemas".equals(first)) {
            if (size == 2 && "types".equals(path.get(1)) && "GET".equals(method)) {
                return JSON.createArrayNode().add("AVRO");
            }
            if (size >= 3 && "ids".equals(path.get(1)) && "GET".equals(method)) {
                int id = parseId(path.get(2));
                Schema schema = store.schemaById(id)
                        .orElseThrow(() -> RegistryError.schemaNotFound("with id " + id));
                if (size == 3) {
                    return JSON.createObjectNode().put("schema", schema.toString());
                }
                if (size == 4 && "schema".equals(path.get(3))) {
                    return JSON.readTree(schema.toString());
                }
                if (size == 4 && "subjects".equals(path.get(3))) {
                    return stringArray(store.subjectsOf(id));
                }
            }
        } else if ("subjects".equals(first)) {
            if (size == 1 && "GET".equals(method)) {
                return stringArray(store.subjects());
            }
            String subject = size > 1 ? path.get(1) : null;
            if (size == 2 && "POST".equals(method)) {
                return versionJson(store.lookup(subject, schemaFromBody(exchange)));
            }
            if (size == 3 && "versions".equals(path.get(2))) {
                if ("POST".equals(method)) {
                    SchemaStore.Version registered = store.register(subject, schemaFromBody(exchange));
                    return JSON.createObjectNode().put("id", registered.id()).put("subject", subject)
                            .put("version", registered.version());
                }
                if ("GET".equals(method)) {
                    ArrayNode versions = JSON.createArrayNode();
                    store.versions(subject).forEach(versions::add);
                    return versions;
                }
            }
            if (size >= 4 && "versions".equals(path.get(2)) && "GET".equals(method)) {
                SchemaStore.Version version = store.version(subject, path.get(3));
                if (size == 4) {
                    return versionJson(version);
                }
                if (size == 5 && "schema".equals(path.get(4))) {
                    return JSON.readTree(version.schema().toString());
                }
            }
        } else if ("config".equals(first) && size <= 2) {
            String subject = size == 2 ? path.get(1) : null;
            if ("GET".equals(method)) {
                CompatibilityLevel level = subject == null ? store.globalLevel() : store.subjectLevel(subject)
                        .or(() -> "true".equals(query.get("defaultToGlobal"))
                                ? Optional.of(store.globalLevel()) : Optional.empty())
                        .orElseThrow(() -> new RegistryError(404, RegistryError.SUBJECT_COMPATIBILITY_NOT_CONFIGURED,
                                "Subject '" + subject + "' does not have subject-level compatibility configured"));
                return JSON.createObjectNode().put("compatibilityLevel", level.name());
            }
            if ("PUT".equals(method)) {
                CompatibilityLevel level = CompatibilityLevel.parse(readBody(exchange).path("compatibility")
                        .asText(null));
                store.setLevel(subject, level);
                return JSON.createObjectNode().put("compatibility", level.name());
            }
        } else if ("associations".equals(first) && size == 4 && "resources".equals(path.get(1))
                && "GET".equals(method)) {
            // No subject is ever associated with a topic here; Confluent's clients then fall back to
            // TopicNameStrategy, which is the naming this project uses.
            return JSON.createArrayNode();
        } else if ("compatibility".equals(first) && size == 5 && "subjects".equals(path.get(1))
                && "versions".equals(path.get(3)) && "POST".equals(method)) {
            List<String> violations = store.compatibilityViolations(path.get(2), path.get(4),
                    schemaFromBody(exchange));
            ObjectNode answer = JSON.createObjectNode().put("is_compatible", violations.isEmpty());
            if ("true".equals(query.get("verbose"))) {
                answer.set("messages", stringArray(violations));
            }
            return answer;
        }
        LOG.warnf("local Schema Registry has no endpoint for %s %s", method, exchange.getRequestURI());
        unhandledRequests.add(method + " " + exchange.getRequestURI().getPath());
        throw new RegistryError(404, 404, "HTTP 404 Not Found: " + method + " " + exchange.getRequestURI().getPath());
    }

    private static ObjectNode versionJson(SchemaStore.Version version) {
        return JSON.createObjectNode().put("subject", version.subject()).put("version", version.version())
                .put("id", version.id()).put("schema", version.schema().toString());
    }

    private static ArrayNode stringArray(List<String> values) {
        ArrayNode array = JSON.createArrayNode();
        values.forEach(array::add);
        return array;
    }

    private static int parseId(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw RegistryError.schemaNotFound("with id " + text);
        }
    }

    private static Schema schemaFromBody(HttpExchange exchange) throws IOException {
        JsonNode body = readBody(exchange);
        String type = body.path("schemaType").asText("AVRO");
        if (!"AVRO".equalsIgnoreCase(type)) {
            throw RegistryError.invalidSchema("schema type " + type + " is not supported, only AVRO");
        }
        if (body.hasNonNull("references") && !body.get("references").isEmpty()) {
            throw RegistryError.invalidSchema("schema references are not supported");
        }
        JsonNode schema = body.get("schema");
        if (schema == null || !schema.isTextual()) {
            throw RegistryError.invalidSchema("the request has no 'schema' string");
        }
        try {
            return new Schema.Parser().parse(schema.textValue());
        } catch (RuntimeException e) {
            // Avro 1.12 reports some unparseable schemas (e.g. an unknown type name) as NullPointerException.
            throw RegistryError.invalidSchema(e.getMessage());
        }
    }

    private static JsonNode readBody(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            JsonNode body = JSON.readTree(in);
            if (body == null || !body.isObject()) {
                throw new RegistryError(422, 422, "Unprocessable entity: the body must be a JSON object");
            }
            return body;
        } catch (JsonProcessingException e) {
            throw new RegistryError(422, 422, "Unprocessable entity: the body is not JSON (" + e.getOriginalMessage()
                    + ")");
        }
    }

    private static List<String> segments(HttpExchange exchange) {
        List<String> segments = new ArrayList<>();
        for (String raw : exchange.getRequestURI().getRawPath().split("/")) {
            if (!raw.isEmpty()) {
                segments.add(URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8));
            }
        }
        return segments;
    }

    private static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> query = new HashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                query.put(key, value);
            }
        }
        return query;
    }

    /** Settings for a {@link LocalSchemaRegistry}. */
    public static final class Builder {
        private final EmbeddedKafkaBroker broker;
        private final String bootstrapServers;
        private String topic = DEFAULT_TOPIC;
        private int port;
        private String basicAuth;
        private SSLContext sslContext;

        private Builder(EmbeddedKafkaBroker broker, String bootstrapServers) {
            this.broker = broker;
            this.bootstrapServers = bootstrapServers;
        }

        /** The compacted topic holding the schemas (default {@value LocalSchemaRegistry#DEFAULT_TOPIC}). */
        public Builder topic(String topic) {
            this.topic = topic;
            return this;
        }

        /** The HTTP port; 0 (the default) picks a free one, which restarts keep. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Demand HTTP basic auth with these {@code user:password} credentials (to test clients); none by default. */
        public Builder requireBasicAuth(String userInfo) {
            this.basicAuth = userInfo;
            return this;
        }

        /**
         * Serve HTTPS with this context's key and certificate (to test clients' TLS settings); plain HTTP by default.
         * The certificate should name 127.0.0.1 as an IP subject alternative name, since clients check it.
         */
        public Builder https(SSLContext context) {
            this.sslContext = context;
            return this;
        }

        public LocalSchemaRegistry build() {
            return new LocalSchemaRegistry(this);
        }
    }
}
