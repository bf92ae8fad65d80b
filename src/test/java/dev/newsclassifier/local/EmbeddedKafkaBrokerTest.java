package dev.newsclassifier.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaBrokerTest {

    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.create().start();
    }

    @AfterAll
    static void closeBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void shouldDeliverOnlyCommittedTransactionsAndKeepThemAcrossARestart() throws Exception {
        broker.createTopics(3, "tx-topic");
        String address = broker.bootstrapServers();

        try (KafkaProducer<String, String> producer = transactionalProducer()) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("tx-topic", "k1", "committed-1"));
            producer.send(new ProducerRecord<>("tx-topic", "k2", "committed-2"));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("tx-topic", "k3", "aborted"));
            producer.flush();
            producer.abortTransaction();
        }
        assertThat(readAllValues("tx-topic", 2)).containsExactlyInAnyOrder("committed-1", "committed-2");

        broker.stop();
        assertThat(broker.isRunning()).isFalse();
        broker.start();

        assertThat(broker.bootstrapServers()).isEqualTo(address);
        assertThat(readAllValues("tx-topic", 2)).containsExactlyInAnyOrder("committed-1", "committed-2");
    }

    @Test
    void shouldCreateCompactedTopicWithRequestedPartitions() throws Exception {
        broker.createCompactedTopic("compacted-topic", 2);
        broker.createCompactedTopic("compacted-topic", 2);

        try (Admin admin = Admin.create(broker.adminConfig())) {
            var description = admin.describeTopics(Set.of("compacted-topic")).allTopicNames().get()
                    .get("compacted-topic");
            assertThat(description.partitions()).hasSize(2);
            var resource = new ConfigResource(ConfigResource.Type.TOPIC, "compacted-topic");
            ConfigEntry policy = admin.describeConfigs(Set.of(resource)).all().get().get(resource)
                    .get(TopicConfig.CLEANUP_POLICY_CONFIG);
            assertThat(policy.value()).isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
        }
    }

    @Test
    void shouldDeleteItsTemporaryLogDirOnClose() {
        Path dir;
        try (EmbeddedKafkaBroker other = EmbeddedKafkaBroker.create()) {
            dir = other.logDir();
            assertThat(dir).isDirectory();
        }
        assertThat(Files.exists(dir)).isFalse();
    }

    @Test
    void shouldDeleteItsTemporaryLogDirWhenItFailsToStart() {
        EmbeddedKafkaBroker broken = EmbeddedKafkaBroker.builder()
                .property("group.consumer.heartbeat.interval.ms", "1")
                .build();
        Path dir = broken.logDir();

        assertThatThrownBy(broken::start).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("group.consumer.heartbeat.interval.ms");
        assertThat(Files.exists(dir)).isFalse();
        assertThatThrownBy(broken::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    private static KafkaProducer<String, String> transactionalProducer() {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-" + UUID.randomUUID(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                new StringSerializer(), new StringSerializer());
    }

    private static List<String> readAllValues(String topic, int expected) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            // Read past the expected count until the end so that an aborted record would show up if it leaked.
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
                boolean atEnd = consumer.endOffsets(partitions).entrySet().stream()
                        .allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
                if (values.size() >= expected && atEnd) {
                    break;
                }
            }
        }
        return values;
    }
}
