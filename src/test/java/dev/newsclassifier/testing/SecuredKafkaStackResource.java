package dev.newsclassifier.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.SaslConfigs;

import dev.newsclassifier.local.EmbeddedKafkaBroker;
import dev.newsclassifier.local.LocalSchemaRegistry;
import dev.newsclassifier.local.LocalTopics;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Like {@link LocalKafkaStackResource}, but everything the service talks to demands credentials: the broker's client
 * listener is SASL_PLAINTEXT with mechanism PLAIN, and the Schema Registry serves HTTPS with a self-signed certificate
 * and demands basic auth. Points the application at them through the settings an operator would use:
 * {@code quarkus.kafka-streams.security.protocol}, {@code quarkus.kafka-streams.sasl.*} and
 * {@code news.registry.basic-auth-user-info} / {@code news.registry.truststore.*}.
 *
 * <p>Init args (all required): {@link #KAFKA_USER}, {@link #KAFKA_PASSWORD}, {@link #REGISTRY_USER_INFO},
 * {@link #STORE_PASSWORD}. The default topics are created.
 */
public class SecuredKafkaStackResource implements QuarkusTestResourceLifecycleManager {

    public static final String KAFKA_USER = "kafka-user";
    public static final String KAFKA_PASSWORD = "kafka-password";
    public static final String REGISTRY_USER_INFO = "registry-user-info";
    public static final String STORE_PASSWORD = "store-password";

    private Map<String, String> initArgs = Map.of();
    private Path certificates;
    private EmbeddedKafkaBroker broker;
    private LocalSchemaRegistry registry;

    @Override
    public void init(Map<String, String> initArgs) {
        for (String required : List.of(KAFKA_USER, KAFKA_PASSWORD, REGISTRY_USER_INFO, STORE_PASSWORD)) {
            if (!initArgs.containsKey(required)) {
                throw new IllegalArgumentException("init arg " + required + " is required");
            }
        }
        this.initArgs = Map.copyOf(initArgs);
    }

    @Override
    public Map<String, String> start() {
        try {
            certificates = Files.createTempDirectory("registry-tls-");
            SelfSignedCertificate certificate = SelfSignedCertificate.create(certificates,
                    initArgs.get(STORE_PASSWORD));
            broker = EmbeddedKafkaBroker.builder()
                    .saslPlainUsers(Map.of(initArgs.get(KAFKA_USER), initArgs.get(KAFKA_PASSWORD))).build().start();
            broker.createTopics(LocalTopics.defaults().stream()
                    .map(topic -> new NewTopic(topic.name(), topic.partitions(), (short) 1)).toList());
            registry = LocalSchemaRegistry.builder(broker).requireBasicAuth(initArgs.get(REGISTRY_USER_INFO))
                    .https(certificate.serverContext()).build().start();

            Map<String, String> config = new HashMap<>();
            config.put("kafka.bootstrap.servers", broker.saslBootstrapServers());
            config.put("quarkus.kafka-streams.bootstrap-servers", broker.saslBootstrapServers());
            config.put("quarkus.kafka-streams.security.protocol", "SASL_PLAINTEXT");
            config.put("quarkus.kafka-streams.sasl.mechanism", "PLAIN");
            config.put("quarkus.kafka-streams.sasl.jaas-config",
                    plainJaasConfig(initArgs.get(KAFKA_USER), initArgs.get(KAFKA_PASSWORD)));
            config.put("news.registry.url", registry.url());
            config.put("news.registry.basic-auth-user-info", initArgs.get(REGISTRY_USER_INFO));
            config.put("news.registry.truststore.location", certificate.truststore().location().toString());
            config.put("news.registry.truststore.password", certificate.password());
            return config;
        } catch (IOException e) {
            stop();
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop();
            throw new IllegalStateException("interrupted while making the registry's certificate", e);
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
    }

    @Override
    public void stop() {
        try {
            if (registry != null) {
                registry.close();
                registry = null;
            }
        } finally {
            if (broker != null) {
                broker.close();
                broker = null;
            }
            if (certificates != null) {
                deleteQuietly(certificates);
                certificates = null;
            }
        }
    }

    /** Kafka client settings for a test's own producers and consumers on the SASL listener. */
    public static Map<String, Object> saslClientConfig(String bootstrapServers, String user, String password) {
        return Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT",
                SaslConfigs.SASL_MECHANISM, "PLAIN",
                SaslConfigs.SASL_JAAS_CONFIG, plainJaasConfig(user, password));
    }

    private static String plainJaasConfig(String user, String password) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // A leftover temporary directory of three small files is not worth failing a test for.
        }
    }
}
