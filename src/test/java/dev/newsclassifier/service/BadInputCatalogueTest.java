package dev.newsclassifier.service;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.newsclassifier.avro.ClassifiedArticle;
import dev.newsclassifier.faults.BadInputCatalogue;
import dev.newsclassifier.local.LocalTopics;
import dev.newsclassifier.registry.SchemaRegistryClient;
import dev.newsclassifier.serde.ConfluentAvroDeserializer;
import dev.newsclassifier.testing.LocalKafkaStackResource;
import dev.newsclassifier.topology.DeadLetters;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** Every case of the {@link BadInputCatalogue}, published to a real broker and followed to its outcome. */
@QuarkusTest
@QuarkusTestResource(LocalKafkaStackResource.class)
class BadInputCatalogueTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @Inject
    NewsConfig config;

    @Inject
    SchemaRegistryClient registry;

    @Inject
    KafkaStreams streams;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    /** One published record: its case, key, value and where the broker put it. */
    record Published(BadInputCatalogue input, String key, byte[] value, int partition, long offset) {
    }

    @Test
    void shouldGiveEveryBadInputItsOutcomeWhileTheStreamKeepsRunning() throws Exception {
        ServiceTestSupport.awaitRunning(streams);
        String run = "bad-" + UUID.randomUUID().toString().substring(0, 8);
        String before = metrics();
        ServiceTestSupport.StateSampler sampler = new ServiceTestSupport.StateSampler(streams);
        List<Published> published;
        List<ConsumerRecord<byte[], byte[]>> deadLetters;
        List<ConsumerRecord<String, ClassifiedArticle>> labeled;
        try {
            published = publishCatalogue(run);
            int expectedDead = (int) published.stream().filter(p -> p.input().outcome().deadLettered()).count();
            deadLetters = read(config.topics().deadLetter(), new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                    key -> new String(key, StandardCharsets.UTF_8).startsWith(run), expectedDead);
            labeled = read(config.topics().labeled(), new StringDeserializer(),
                    new ConfluentAvroDeserializer<>(registry, ClassifiedArticle.class),
                    key -> key.startsWith(run), published.size() - expectedDead);
        } finally {
            sampler.close();
        }
        String after = metrics();

        assertThat(sampler.states()).as("Kafka Streams states seen while the bad input went through")
                .containsOnly(KafkaStreams.State.RUNNING);

        Map<String, Published> deadByKey = published.stream().filter(p -> p.input().outcome().deadLettered())
                .collect(Collectors.toMap(Published::key, Function.identity()));
        assertThat(deadLetters).hasSize(deadByKey.size());
        for (ConsumerRecord<byte[], byte[]> dead : deadLetters) {
            Published source = deadByKey.get(new String(dead.key(), StandardCharsets.UTF_8));
            assertThat(source).as("dead letter keyed %s", new String(dead.key(), StandardCharsets.UTF_8)).isNotNull();
            String name = source.input().name();
            assertThat(dead.value()).as("%s keeps its original bytes", name).isEqualTo(source.value());
            assertThat(header(dead.headers(), DeadLetters.REASON)).as(name).isEqualTo(source.input().outcome().reason());
            assertThat(header(dead.headers(), DeadLetters.DETAIL)).as(name).isNotBlank();
            assertThat(header(dead.headers(), DeadLetters.SOURCE_TOPIC)).as(name).isEqualTo(config.topics().raw());
            assertThat(header(dead.headers(), DeadLetters.SOURCE_PARTITION)).as(name)
                    .isEqualTo(Integer.toString(source.partition()));
            assertThat(header(dead.headers(), DeadLetters.SOURCE_OFFSET)).as(name)
                    .isEqualTo(Long.toString(source.offset()));
            assertThat(dead.headers().lastHeader(DeadLetters.PAYLOAD_DROPPED)).as(name).isNull();
        }

        Map<String, List<ClassifiedArticle>> labeledById = labeled.stream().collect(
                Collectors.groupingBy(ConsumerRecord::key, Collectors.mapping(ConsumerRecord::value, Collectors.toList())));
        Map<String, List<Published>> classifiedById = published.stream().filter(p -> !p.input().outcome().deadLettered())
                .collect(Collectors.groupingBy(Published::key));
        assertThat(labeledById.keySet()).isEqualTo(classifiedById.keySet());
        for (Map.Entry<String, List<Published>> expected : classifiedById.entrySet()) {
            BadInputCatalogue input = expected.getValue().get(0).input();
            assertThat(labeledById.get(expected.getKey())).as("%s: one output per input record", input)
                    .hasSize(expected.getValue().size())
                    .allSatisfy(article -> {
                        assertThat(article.getTruncated()).as("%s truncated", input).isEqualTo(input.outcome().truncated());
                        assertThat(article.getLabel()).as("%s label", input).isNotBlank();
                    });
        }
        assertThat(labeledById.get(BadInputCatalogue.ONE_MEBIBYTE_DESCRIPTION.id(run)).get(0).getDescription())
                .as("the labeled article carries the whole description").hasSizeGreaterThan(1024 * 1024);

        Map<BadInputCatalogue, Long> recordsPerCase = published.stream()
                .collect(Collectors.groupingBy(Published::input, () -> new EnumMap<>(BadInputCatalogue.class),
                        Collectors.counting()));
        assertThat(delta(before, after, "news_articles_received_total", null)).isEqualTo(published.size());
        assertThat(delta(before, after, "news_articles_classified_total", null)).isEqualTo(labeled.size());
        assertThat(delta(before, after, "news_articles_truncated_total", null)).isEqualTo(
                recordsPerCase.entrySet().stream().filter(e -> e.getKey().outcome().truncated())
                        .mapToLong(Map.Entry::getValue).sum());
        Map<String, Long> perReason = recordsPerCase.entrySet().stream().filter(e -> e.getKey().outcome().deadLettered())
                .collect(Collectors.groupingBy(e -> e.getKey().outcome().reason(), Collectors.summingLong(Map.Entry::getValue)));
        perReason.forEach((reason, count) -> assertThat(
                delta(before, after, "news_articles_dead_lettered_total", reason)).as(reason).isEqualTo(count));
        assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
    }

    private List<Published> publishCatalogue(String run) throws Exception {
        Map<String, Object> props = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                // The raw topic takes records over the service's max-record-bytes, so that one can be dead-lettered.
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, LocalTopics.RAW_MAX_MESSAGE_BYTES);
        List<Published> published = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (BadInputCatalogue input : BadInputCatalogue.values()) {
                String key = input.id(run);
                for (byte[] value : input.values(registry, config.topics().raw(), config.validation().maxRecordBytes(),
                        key)) {
                    RecordMetadata where = producer.send(new ProducerRecord<>(config.topics().raw(),
                            key.getBytes(StandardCharsets.UTF_8), value)).get(30, TimeUnit.SECONDS);
                    published.add(new Published(input, key, value, where.partition(), where.offset()));
                }
            }
        }
        return published;
    }

    /** Committed records of this run from {@code topic}, until {@code expected} have come or the timeout passes. */
    private <K, V> List<ConsumerRecord<K, V>> read(String topic, Deserializer<K> keys, Deserializer<V> values,
            Predicate<K> ofThisRun, int expected) {
        List<ConsumerRecord<K, V>> records = new ArrayList<>();
        try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "bad-input-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), keys, values)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (r.key() != null && ofThisRun.test(r.key())) {
                        records.add(r);
                    }
                });
            }
            // A short extra poll catches records beyond the expected ones.
            consumer.poll(Duration.ofSeconds(1)).forEach(r -> {
                if (r.key() != null && ofThisRun.test(r.key())) {
                    records.add(r);
                }
            });
        }
        return records;
    }

    private static String metrics() {
        return given().when().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    /** How much a Prometheus counter (with the given {@code reason} tag, or none) grew between two scrapes. */
    private static long delta(String before, String after, String name, String reason) {
        return Math.round(counter(after, name, reason) - counter(before, name, reason));
    }

    private static double counter(String scrape, String name, String reason) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(name) && (reason == null || line.contains("reason=\"" + reason + "\""))) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    private static String header(Headers headers, String key) {
        return headers.lastHeader(key) == null ? null
                : new String(headers.lastHeader(key).value(), StandardCharsets.UTF_8);
    }
}
