package dev.newsclassifier.service;

import dev.newsclassifier.avro.ClassifiedArticle;
import dev.newsclassifier.avro.NewsArticle;
import dev.newsclassifier.registry.SchemaRegistryClient;
import dev.newsclassifier.serde.ConfluentAvroDeserializer;
import dev.newsclassifier.serde.ConfluentAvroSerializer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;

/** Publishing and reading helpers for the tests that run the service against a real broker. */
final class ServiceTestSupport {

    /** A sample article with the label a person gave it. */
    record Sample(NewsArticle article, String label) {
    }

    private ServiceTestSupport() {
    }

    /** {@code count} articles cycling through the handwritten demo sample, each with a unique id. */
    static List<Sample> samples(int count, String idPrefix) throws IOException {
        List<JsonNode> base = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                ServiceTestSupport.class.getClassLoader().getResourceAsStream("demo/articles.jsonl"),
                StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                base.add(json.readTree(line));
            }
        }
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            JsonNode node = base.get(i % base.size());
            NewsArticle article = NewsArticle.newBuilder().setId(idPrefix + "-" + i)
                    .setTitle(node.get("title").asText()).setDescription(node.get("description").asText())
                    .setSource("Test Wire").build();
            samples.add(new Sample(article, node.get("label").asText()));
        }
        return samples;
    }

    static void publish(String bootstrap, SchemaRegistryClient registry, String topic, List<Sample> samples) {
        Map<String, Object> props = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, NewsArticle> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ConfluentAvroSerializer<>(registry))) {
            for (Sample sample : samples) {
                producer.send(new ProducerRecord<>(topic, sample.article().getId(), sample.article()));
            }
            producer.flush();
        }
    }

    static void publishRaw(String bootstrap, String topic, byte[] key, byte[] value) {
        Map<String, Object> props = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value));
            producer.flush();
        }
    }

    /** Reads committed labeled records until {@code expected} have arrived or the timeout passes. */
    static List<ConsumerRecord<String, ClassifiedArticle>> readLabeled(String bootstrap, SchemaRegistryClient registry,
            String topic, int expected, Duration timeout) {
        List<ConsumerRecord<String, ClassifiedArticle>> records = new ArrayList<>();
        try (KafkaConsumer<String, ClassifiedArticle> consumer = new KafkaConsumer<>(consumerProps(bootstrap),
                new StringDeserializer(), new ConfluentAvroDeserializer<>(registry, ClassifiedArticle.class))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            // A short extra poll catches duplicates that would arrive after the expected count.
            consumer.poll(Duration.ofSeconds(1)).forEach(records::add);
        }
        return records;
    }

    static List<ConsumerRecord<byte[], byte[]>> readRaw(String bootstrap, String topic, int expected, Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps(bootstrap),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /** Waits for Kafka Streams, which Quarkus starts in the background, to join its group and run. */
    static void awaitRunning(KafkaStreams streams) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        if (streams.state() != KafkaStreams.State.RUNNING) {
            throw new AssertionError("Kafka Streams is " + streams.state() + " after 60 s, not RUNNING");
        }
    }

    /** Every state Kafka Streams is seen in, sampled every 20 ms until closed. */
    static final class StateSampler implements AutoCloseable {
        private final Set<KafkaStreams.State> states = ConcurrentHashMap.newKeySet();
        private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();

        StateSampler(KafkaStreams streams) {
            sampler.scheduleAtFixedRate(() -> states.add(streams.state()), 0, 20, TimeUnit.MILLISECONDS);
        }

        Set<KafkaStreams.State> states() {
            return states;
        }

        @Override
        public void close() {
            sampler.shutdownNow();
        }
    }

    /**
     * Completed rebalances the stream threads' consumers took part in, the first join included (consumer metric
     * {@code consumer-coordinator-metrics/rebalance-total}; the restore consumer belongs to no group).
     */
    static double rebalances(KafkaStreams streams) {
        return streams.metrics().entrySet().stream()
                .filter(entry -> entry.getKey().group().equals("consumer-coordinator-metrics")
                        && entry.getKey().name().equals("rebalance-total"))
                .mapToDouble(entry -> ((Number) entry.getValue().metricValue()).doubleValue())
                .sum();
    }

    private static Map<String, Object> consumerProps(String bootstrap) {
        return Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    }
}
