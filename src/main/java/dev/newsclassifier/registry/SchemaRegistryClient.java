package dev.newsclassifier.registry;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

import org.apache.avro.Schema;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Client for the Confluent Schema Registry REST API, for Avro schemas. Works with any registry that speaks that API
 * (Confluent, Apicurio's ccompat endpoint, Redpanda, Karapace, {@code LocalSchemaRegistry}).
 *
 * <p>Thread-safe; meant to be shared by all serdes of an application. Schemas by id and ids by (subject, schema) are
 * cached forever, which is sound because the registry never changes what an id means.
 *
 * <p>With several base URLs, each request tries them in turn until one answers. GET requests are also retried a few
 * times with backoff while no URL answers; POSTs are not, so the caller decides. Failures map to
 * {@link SchemaRegistryUnavailableException} (unreachable, timeout, 5xx: retriable), {@link SchemaNotFoundException}
 * (404), {@link IncompatibleSchemaException} (409), {@link InvalidSchemaException} (422) and plain
 * {@link SchemaRegistryException} for anything else (e.g. 401, or a TLS handshake that fails).
 */
public final class SchemaRegistryClient {

    /** The media type of the Schema Registry API, used as Accept and Content-Type. */
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private static final Logger LOG = Logger.getLogger(SchemaRegistryClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<URI> baseUrls;
    private final String authorization;
    private final Duration requestTimeout;
    private final int getAttempts;
    private final Duration retryBackoff;
    private final HttpClient http;
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();

    private SchemaRegistryClient(Builder builder) {
        this.baseUrls = parseUrls(builder.urls);
        this.authorization = builder.userInfo == null ? null
                : "Basic " + Base64.getEncoder().encodeToString(builder.userInfo.getBytes(StandardCharsets.UTF_8));
        this.requestTimeout = builder.requestTimeout;
        this.getAttempts = builder.getAttempts;
        this.retryBackoff = builder.retryBackoff;
        HttpClient.Builder http = HttpClient.newBuilder()
                .connectTimeout(builder.requestTimeout)
                .version(HttpClient.Version.HTTP_1_1);
        if (builder.sslContext != null) {
            http.sslContext(builder.sslContext);
        }
        this.http = http.build();
    }

    /** A client with default settings for one or more comma-separated base URLs. */
    public static SchemaRegistryClient create(String urls) {
        return builder(urls).build();
    }

    /** @param urls one or more base URLs, comma-separated, e.g. {@code http://sr1:8081,http://sr2:8081} */
    public static Builder builder(String urls) {
        return new Builder(urls);
    }

    /**
     * Registers the schema under the subject, or returns the id it already has there. The registry checks it against
     * the subject's compatibility rule first.
     *
     * @throws IncompatibleSchemaException when the subject's compatibility rule rejects it
     * @throws InvalidSchemaException when the registry cannot parse it
     */
    public int register(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema);
        Integer cached = idsBySubjectSchema.get(key);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = send("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema), false,
                subject, null);
        int id = requiredInt(answer, "id");
        remember(key, id, schema);
        return id;
    }

    /**
     * The id of a schema already registered under the subject; registers nothing.
     *
     * @throws SchemaNotFoundException when the subject does not exist or does not hold this schema
     */
    public int lookupId(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema);
        Integer cached = idsBySubjectSchema.get(key);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = send("POST", "/subjects/" + encode(subject), schemaBody(schema), false, subject, null);
        int id = requiredInt(answer, "id");
        remember(key, id, schema);
        return id;
    }

    /**
     * The schema with this global id, from the cache when seen before (so it keeps working while the registry is
     * down).
     *
     * @throws SchemaNotFoundException when the registry has no schema with this id
     * @throws SchemaRegistryUnavailableException when the id is not cached and the registry cannot be reached
     */
    public Schema schemaById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = send("GET", "/schemas/ids/" + id, null, true, null, id);
        Schema schema = parse(requiredText(answer, "schema"), "schema id " + id);
        Schema previous = schemasById.putIfAbsent(id, schema);
        return previous != null ? previous : schema;
    }

    /** The latest version of a subject; never cached, since a new version may have been registered since. */
    public RegisteredSchema latestVersion(String subject) {
        JsonNode answer = send("GET", "/subjects/" + encode(subject) + "/versions/latest", null, true, subject, null);
        int id = requiredInt(answer, "id");
        Schema schema = schemasById.computeIfAbsent(id,
                ignored -> parse(requiredText(answer, "schema"), "subject " + subject));
        return new RegisteredSchema(subject, requiredInt(answer, "version"), id, schema);
    }

    /** The base URLs this client tries, in order. */
    public List<URI> urls() {
        return baseUrls;
    }

    @Override
    public String toString() {
        // Never the credentials: this string ends up in logs and exception messages.
        return "SchemaRegistryClient{urls=" + baseUrls + ", basicAuth=" + (authorization != null)
                + ", requestTimeout=" + requestTimeout + "}";
    }

    private void remember(SubjectSchema key, int id, Schema schema) {
        idsBySubjectSchema.putIfAbsent(key, id);
        schemasById.putIfAbsent(id, schema);
    }

    private JsonNode send(String method, String path, String body, boolean retry, String subject, Integer id) {
        int attempts = retry ? getAttempts : 1;
        SchemaRegistryUnavailableException last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            if (attempt > 1) {
                sleep(retryBackoff.multipliedBy(1L << (attempt - 2)));
            }
            for (URI base : baseUrls) {
                try {
                    return sendOnce(base, method, path, body, subject, id);
                } catch (SchemaRegistryUnavailableException e) {
                    LOG.debugf("%s %s%s failed: %s", method, base, path, e.getMessage());
                    last = e;
                }
            }
        }
        throw last;
    }

    private JsonNode sendOnce(URI base, String method, String path, String body, String subject, Integer id) {
        URI uri = URI.create(base + path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(requestTimeout)
                .header("Accept", CONTENT_TYPE);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (body == null) {
            request.GET();
        } else {
            request.header("Content-Type", CONTENT_TYPE)
                    .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpTimeoutException e) {
            throw new SchemaRegistryUnavailableException("Schema Registry " + base + " did not answer " + method + " "
                    + path + " within " + requestTimeout, -1, -1, e);
        } catch (ConnectException e) {
            throw new SchemaRegistryUnavailableException("Schema Registry " + base + " is unreachable: "
                    + describe(e), -1, -1, e);
        } catch (SSLException e) {
            // A certificate the client does not trust does not fix itself: say so instead of retrying.
            throw new SchemaRegistryException("TLS with Schema Registry " + base + " failed: " + describe(e)
                    + " (does the trust store, news.registry.truststore.location or"
                    + " schema.registry.ssl.truststore.location, hold the registry's certificate?)", -1, -1, e);
        } catch (IOException e) {
            throw new SchemaRegistryUnavailableException("Schema Registry " + base + " failed on " + method + " "
                    + path + ": " + describe(e), -1, -1, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryUnavailableException("interrupted while calling Schema Registry " + base, -1, -1,
                    e);
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            try {
                return JSON.readTree(response.body());
            } catch (JsonProcessingException e) {
                throw new SchemaRegistryException("Schema Registry " + base + " answered " + method + " " + path
                        + " with something that is not JSON; is this URL a Schema Registry?", status, -1, e);
            }
        }
        throw failure(base, method, path, status, response.body(), subject, id);
    }

    private static SchemaRegistryException failure(URI base, String method, String path, int status, String body,
            String subject, Integer id) {
        int errorCode = -1;
        String detail = body;
        try {
            JsonNode error = JSON.readTree(body);
            if (error != null && error.isObject()) {
                errorCode = error.path("error_code").asInt(-1);
                detail = error.path("message").asText(body);
            }
        } catch (JsonProcessingException e) {
            // Proxies and load balancers answer errors in HTML; the raw body is the best detail there is.
        }
        String message = "Schema Registry " + base + " answered " + status + " to " + method + " " + path + ": "
                + detail;
        if (status >= 500 || status == 408 || status == 429) {
            return new SchemaRegistryUnavailableException(message, status, errorCode, null);
        }
        return switch (status) {
            case 404 -> new SchemaNotFoundException(message, errorCode, subject, id);
            case 409 -> new IncompatibleSchemaException(message, errorCode, subject);
            case 422 -> new InvalidSchemaException(message, errorCode);
            case 401, 403 -> new SchemaRegistryException(message + " (check basic.auth.user.info)", status,
                    errorCode, null);
            default -> new SchemaRegistryException(message, status, errorCode, null);
        };
    }

    private static String schemaBody(Schema schema) {
        ObjectNode body = JSON.createObjectNode();
        body.put("schema", schema.toString());
        return body.toString();
    }

    private static Schema parse(String text, String what) {
        try {
            return new Schema.Parser().parse(text);
        } catch (RuntimeException e) {
            // Avro 1.12 reports some unparseable schemas (e.g. an unknown type name) as NullPointerException.
            throw new SchemaRegistryException("Schema Registry returned an Avro schema for " + what
                    + " that does not parse: " + e.getMessage(), 200, -1, e);
        }
    }

    private static int requiredInt(JsonNode answer, String field) {
        JsonNode value = answer.get(field);
        if (value == null || !value.canConvertToInt()) {
            throw new SchemaRegistryException("Schema Registry answer has no integer '" + field + "': " + answer, 200,
                    -1, null);
        }
        return value.intValue();
    }

    private static String requiredText(JsonNode answer, String field) {
        JsonNode value = answer.get(field);
        if (value == null || !value.isTextual()) {
            throw new SchemaRegistryException("Schema Registry answer has no text '" + field + "': " + answer, 200,
                    -1, null);
        }
        return value.textValue();
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String describe(Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryUnavailableException("interrupted while waiting to retry Schema Registry", -1, -1,
                    e);
        }
    }

    private static List<URI> parseUrls(String urls) {
        Objects.requireNonNull(urls, "Schema Registry URL");
        List<URI> parsed = new ArrayList<>();
        for (String url : urls.split(",")) {
            String trimmed = url.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            URI uri = URI.create(trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                throw new IllegalArgumentException("Schema Registry URL must start with http:// or https://, got "
                        + uri.getScheme() + "://...");
            }
            if (uri.getUserInfo() != null) {
                // Credentials in a URL end up in logs; they belong in the basic auth setting.
                throw new IllegalArgumentException("Schema Registry URL " + uri.getHost()
                        + " carries credentials; pass them as basic auth user info instead");
            }
            parsed.add(uri);
        }
        if (parsed.isEmpty()) {
            throw new IllegalArgumentException("no Schema Registry URL given");
        }
        return List.copyOf(parsed);
    }

    /**
     * Keyed by the {@link Schema} itself, not its JSON: serializers ask once per record with the same instance, and
     * Schema's equality short-cuts on identity and caches its hash, where rendering JSON each time would not.
     */
    private record SubjectSchema(String subject, Schema schema) {
    }

    /** Settings for a {@link SchemaRegistryClient}. */
    public static final class Builder {
        private final String urls;
        private String userInfo;
        private Duration requestTimeout = Duration.ofSeconds(10);
        private SSLContext sslContext;
        private int getAttempts = 3;
        private Duration retryBackoff = Duration.ofMillis(200);

        private Builder(String urls) {
            this.urls = urls;
        }

        /** HTTP basic auth as {@code user:password}; null or blank for none. */
        public Builder basicAuth(String userInfo) {
            if (userInfo != null && !userInfo.isBlank() && !userInfo.contains(":")) {
                throw new IllegalArgumentException("basic auth user info must be 'user:password'");
            }
            this.userInfo = userInfo == null || userInfo.isBlank() ? null : userInfo;
            return this;
        }

        /** Limit for connecting and for each request (default 10 s). */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** TLS settings (trust store, client certificate) for https URLs; the JDK default otherwise. */
        public Builder sslContext(SSLContext context) {
            this.sslContext = context;
            return this;
        }

        /**
         * How often a GET goes round all URLs before giving up (default 3), and the wait before the second round,
         * doubled for each further one (default 200 ms).
         */
        public Builder getRetries(int attempts, Duration backoff) {
            if (attempts < 1) {
                throw new IllegalArgumentException("attempts must be at least 1");
            }
            this.getAttempts = attempts;
            this.retryBackoff = Objects.requireNonNull(backoff);
            return this;
        }

        public SchemaRegistryClient build() {
            return new SchemaRegistryClient(this);
        }
    }
}
