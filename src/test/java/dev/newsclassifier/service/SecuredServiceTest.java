package dev.newsclassifier.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.newsclassifier.avro.ClassifiedArticle;
import dev.newsclassifier.avro.NewsArticle;
import dev.newsclassifier.registry.SchemaRegistryClient;
import dev.newsclassifier.serde.ConfluentAvroDeserializer;
import dev.newsclassifier.serde.ConfluentAvroSerializer;
import dev.newsclassifier.testing.SecuredKafkaStackResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The service where Kafka demands SASL credentials and the Schema Registry demands basic auth over HTTPS with a
 * certificate only the configured trust store holds: it classifies end to end, and no password reaches its log.
 */
@QuarkusTest
@TestProfile(SecuredServiceTest.Profile.class)
class SecuredServiceTest {

    static final String KAFKA_USER = "classifier";
    static final String KAFKA_PASSWORD = "kafka-Pw-SECRET-3c9d41";
    static final String REGISTRY_PASSWORD = "registry-Pw-SECRET-8e27b0";
    static final String REGISTRY_USER_INFO = "classifier:" + REGISTRY_PASSWORD;
    static final String STORE_PASSWORD = "store-Pw-SECRET-51aa7c";

    public static final class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.ofEntries(Map.entry("quarkus.kafka-streams.application-id", "news-classifier-secured-test"),
                    // Every log record of the run goes to a file of its own, which the test searches for secrets.
                    Map.entry("quarkus.log.file.enabled", "true"),
                    Map.entry("quarkus.log.file.path", "target/secured-service-test-" + UUID.randomUUID() + ".log"),
                    Map.entry("quarkus.log.file.level", "ALL"),
                    Map.entry("quarkus.log.category.\"dev.newsclassifier\".level", "DEBUG"),
                    // INFO shows the Kafka clients' configuration dumps, where a password would show first; Quarkus
                    // turns the dumps' own categories down to WARN unless told otherwise.
                    Map.entry("quarkus.log.category.\"org.apache.kafka\".level", "INFO"),
                    Map.entry("quarkus.log.category.\"org.apache.kafka.common.config\".level", "INFO"),
                    Map.entry("quarkus.log.category.\"org.apache.kafka.clients\".level", "INFO"),
                    Map.entry("quarkus.log.category.\"org.apache.kafka.clients.consumer.ConsumerConfig\".level", "INFO"),
                    Map.entry("quarkus.log.category.\"org.apache.kafka.clients.producer.ProducerConfig\".level", "INFO"));
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(SecuredKafkaStackResource.class, Map.of(
                    SecuredKafkaStackResource.KAFKA_USER, KAFKA_USER,
                    SecuredKafkaStackResource.KAFKA_PASSWORD, KAFKA_PASSWORD,
                    SecuredKafkaStackResource.REGISTRY_USER_INFO, REGISTRY_USER_INFO,
                    SecuredKafkaStackResource.STORE_PASSWORD, STORE_PASSWORD)));
        }
    }

    @Inject
    NewsConfig config;

    @Inject
    SchemaRegistryClient registry;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "quarkus.log.file.path")
    Path logFile;

    @Test
    void shouldClassifyOverSaslAndAnHttpsRegistryWithBasicAuth() throws Exception {
        List<ServiceTestSupport.Sample> samples = ServiceTestSupport.samples(3, "sasl");

        publish(samples);
        List<ConsumerRecord<String, ClassifiedArticle>> labeled = readLabeled("sasl-", 3);

        assertThat(labeled).extracting(ConsumerRecord::key).containsExactlyInAnyOrder("sasl-0", "sasl-1", "sasl-2");
        assertThat(labeled).allSatisfy(record -> assertThat(record.value().getScores()).hasSize(4));
    }

    @Test
    void shouldRejectAKafkaClientWithTheWrongPassword() {
        Map<String, Object> wrong = new HashMap<>(SecuredKafkaStackResource.saslClientConfig(bootstrap, KAFKA_USER,
                "wrong-Pw-2d1f"));
        try (Admin admin = Admin.create(wrong)) {
            assertThatThrownBy(() -> admin.listTopics().names().get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(SaslAuthenticationException.class)
                    .hasMessageContaining("Invalid username or password")
                    .hasMessageNotContaining("wrong-Pw-2d1f");
        }
    }

    @Test
    void shouldNeverLogCredentials() throws Exception {
        publish(ServiceTestSupport.samples(1, "quiet"));
        assertThat(readLabeled("quiet-", 1)).hasSize(1);
        SchemaRegistryClient rejected = SchemaRegistryClient.builder(config.registry().url())
                .basicAuth("classifier:" + KAFKA_PASSWORD).getRetries(1, Duration.ZERO).build();
        // The rejection's message, and the client itself, are what would end up in a log line.
        assertThatThrownBy(() -> rejected.schemaById(1)).satisfies(e -> assertThat(e.getMessage())
                .contains(config.registry().url()).doesNotContain(KAFKA_PASSWORD));
        assertThat(registry.toString()).doesNotContain(REGISTRY_PASSWORD);

        String log = Files.readString(logFile, StandardCharsets.UTF_8);

        assertThat(log).as("the log captured Kafka Streams' configuration dump")
                .contains("StreamsConfig values").contains("sasl.jaas.config = [hidden]");
        assertThat(log).doesNotContain(KAFKA_PASSWORD).doesNotContain(REGISTRY_PASSWORD)
                .doesNotContain(STORE_PASSWORD)
                .doesNotContain(Base64.getEncoder().encodeToString(REGISTRY_USER_INFO.getBytes(StandardCharsets.UTF_8)));
    }

    private void publish(List<ServiceTestSupport.Sample> samples) {
        Map<String, Object> props = new HashMap<>(SecuredKafkaStackResource.saslClientConfig(bootstrap, KAFKA_USER,
                KAFKA_PASSWORD));
        try (KafkaProducer<String, NewsArticle> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ConfluentAvroSerializer<>(registry))) {
            for (ServiceTestSupport.Sample sample : samples) {
                producer.send(new ProducerRecord<>(config.topics().raw(), sample.article().getId(), sample.article()));
            }
            producer.flush();
        }
    }

    private List<ConsumerRecord<String, ClassifiedArticle>> readLabeled(String idPrefix, int expected) {
        Map<String, Object> props = new HashMap<>(SecuredKafkaStackResource.saslClientConfig(bootstrap, KAFKA_USER,
                KAFKA_PASSWORD));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "secured-reader-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, ClassifiedArticle>> records = new ArrayList<>();
        try (KafkaConsumer<String, ClassifiedArticle> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ConfluentAvroDeserializer<>(registry, ClassifiedArticle.class))) {
            consumer.subscribe(List.of(config.topics().labeled()));
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> {
                    if (record.key().startsWith(idPrefix)) {
                        records.add(record);
                    }
                });
            }
        }
        return records;
    }
}
