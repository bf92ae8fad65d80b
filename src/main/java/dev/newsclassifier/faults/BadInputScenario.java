package dev.newsclassifier.faults;

import dev.newsclassifier.avro.ClassifiedArticle;
import dev.newsclassifier.registry.SchemaRegistryClient;
import dev.newsclassifier.serde.ConfluentAvroDeserializer;
import dev.newsclassifier.topology.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The whole {@link BadInputCatalogue} sent to the packaged service through the broker. Each record
 * must meet its promised outcome: a dead letter with the original bytes and the reason, source
 * topic, partition and offset, or a classified article with the right {@code truncated} flag.
 * Readiness is sampled throughout and must never drop, and the service's counters must move by
 * exactly what was sent.
 */
public final class BadInputScenario implements FaultScenario {

    private static final String NAME = "bad-input";
    private static final int MAX_RECORD_BYTES = 2 * 1024 * 1024;
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    /** A published record and where the broker put it. */
    private record Sent(BadInputCatalogue kind, String id, byte[] value, int partition, long offset) {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "every kind of bad or odd record (" + BadInputCatalogue.values().length
                + " kinds): dead letter with reason and provenance, or classified and flagged; RUNNING throughout";
    }

    @Override
    public ScenarioResult run(FaultRun run) throws Exception {
        List<String> details = FaultRun.details();
        FaultStack.RunTopics topics = run.stack().createTopics(NAME, 3);
        Map<String, String> settings = run.serviceSettings(NAME, topics);
        SchemaRegistryClient registry = SchemaRegistryClient.create(run.stack().registryUrl());
        try (ServiceProcess service = run.instance(NAME + "-1", settings).start()) {
            service.awaitReady(FaultRun.READY_TIMEOUT);
            AtomicBoolean alwaysReady = new AtomicBoolean(true);
            AtomicBoolean sampling = new AtomicBoolean(true);
            Thread sampler = new Thread(() -> {
                while (sampling.get()) {
                    alwaysReady.compareAndSet(true, service.isReady());
                    ServiceProcess.sleep(100);
                }
            }, "readiness-sampler");
            sampler.start();
            List<Sent> sent = publish(run, topics, registry);
            Map<String, Sent> expectedDeadLetters = new HashMap<>();
            Map<String, List<Sent>> expectedClassified = new LinkedHashMap<>();
            for (Sent record : sent) {
                if (record.kind().outcome().deadLettered()) {
                    expectedDeadLetters.put(record.partition() + "@" + record.offset(), record);
                } else {
                    expectedClassified.computeIfAbsent(record.id(), id -> new ArrayList<>()).add(record);
                }
            }
            Outputs outputs = collect(run, topics, registry, expectedDeadLetters.size(),
                    expectedClassified.values().stream().mapToInt(List::size).sum());
            sampling.set(false);
            sampler.join();

            long wrong = 0;
            for (Map.Entry<String, Sent> expected : expectedDeadLetters.entrySet()) {
                ConsumerRecord<byte[], byte[]> letter = outputs.deadLetters.get(expected.getKey());
                Sent record = expected.getValue();
                String problem = letter == null ? "no dead letter" : deadLetterProblem(letter, record, topics.raw());
                wrong += report(run, details, record.kind(), problem, letter == null ? ""
                        : header(letter, DeadLetters.REASON) + " at " + record.partition() + "@" + record.offset());
            }
            for (Map.Entry<String, List<Sent>> expected : expectedClassified.entrySet()) {
                List<ClassifiedArticle> labeled = outputs.classified.getOrDefault(expected.getKey(), List.of());
                BadInputCatalogue kind = expected.getValue().get(0).kind();
                String problem = labeled.size() != expected.getValue().size()
                        ? labeled.size() + " outputs for " + expected.getValue().size() + " records"
                        : labeled.stream().anyMatch(a -> a.getTruncated() != kind.outcome().truncated())
                                ? "truncated flag is not " + kind.outcome().truncated() : null;
                wrong += report(run, details, kind, problem, labeled.isEmpty() ? ""
                        : labeled.size() + "x " + labeled.get(0).getLabel() + ", truncated=" + labeled.get(0).getTruncated());
            }
            boolean countersMatch = countersMatch(run, details, service, sent);
            run.say(details, "readiness sampled every 100 ms: %s", alwaysReady.get() ? "READY throughout" : "DROPPED");
            long deadLettered = outputs.deadLetters.size();
            long classified = outputs.classified.values().stream().mapToLong(List::size).sum();
            long lost = Math.max(0, expectedDeadLetters.size() - deadLettered)
                    + Math.max(0, expectedClassified.values().stream().mapToInt(List::size).sum() - classified);
            long duplicated = outputs.extra;
            boolean passed = wrong == 0 && lost == 0 && duplicated == 0 && countersMatch && alwaysReady.get();
            return new ScenarioResult(NAME, sent.size(), classified, lost, duplicated, deadLettered, passed, details);
        }
    }

    private static List<Sent> publish(FaultRun run, FaultStack.RunTopics topics, SchemaRegistryClient registry)
            throws InterruptedException, ExecutionException {
        List<Sent> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, run.stack().bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * MAX_RECORD_BYTES),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (BadInputCatalogue kind : BadInputCatalogue.values()) {
                String id = kind.id(NAME);
                for (byte[] value : kind.values(registry, topics.raw(), MAX_RECORD_BYTES, id)) {
                    RecordMetadata metadata = producer.send(new ProducerRecord<>(topics.raw(),
                            id.getBytes(StandardCharsets.UTF_8), value)).get();
                    sent.add(new Sent(kind, id, value, metadata.partition(), metadata.offset()));
                }
            }
        }
        return sent;
    }

    /** What came out: dead letters by source partition@offset, classified articles by id, and anything extra. */
    private static final class Outputs {
        final Map<String, ConsumerRecord<byte[], byte[]>> deadLetters = new HashMap<>();
        final Map<String, List<ClassifiedArticle>> classified = new HashMap<>();
        long extra;
    }

    private static Outputs collect(FaultRun run, FaultStack.RunTopics topics, SchemaRegistryClient registry,
            int deadLetters, int classified) {
        Outputs outputs = new Outputs();
        ConfluentAvroDeserializer<ClassifiedArticle> decoder = new ConfluentAvroDeserializer<>(registry,
                ClassifiedArticle.class);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, run.stack().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "bad-input-check-" + UUID.randomUUID(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * MAX_RECORD_BYTES),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(topics.labeled(), topics.deadLetter())) {
                consumer.partitionsFor(topic, Duration.ofSeconds(30))
                        .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            long complete = -1;
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.topic().equals(topics.deadLetter())) {
                        String source = header(record, DeadLetters.SOURCE_PARTITION) + "@"
                                + header(record, DeadLetters.SOURCE_OFFSET);
                        if (outputs.deadLetters.put(source, record) != null) {
                            outputs.extra++;
                        }
                    } else {
                        ClassifiedArticle article = decoder.deserialize(record.topic(), record.value());
                        outputs.classified.computeIfAbsent(article.getId(), id -> new ArrayList<>()).add(article);
                    }
                }
                boolean all = outputs.deadLetters.size() >= deadLetters
                        && outputs.classified.values().stream().mapToInt(List::size).sum() >= classified;
                if (all && complete < 0) {
                    complete = System.nanoTime();
                }
                if (complete > 0 && System.nanoTime() - complete > FaultRun.QUIET.toNanos()) {
                    break;
                }
            }
        }
        long classifiedCount = outputs.classified.values().stream().mapToLong(List::size).sum();
        outputs.extra += Math.max(0, classifiedCount - classified);
        return outputs;
    }

    private static String deadLetterProblem(ConsumerRecord<byte[], byte[]> letter, Sent record, String rawTopic) {
        if (!record.kind().outcome().reason().equals(header(letter, DeadLetters.REASON))) {
            return "reason " + header(letter, DeadLetters.REASON) + ", expected " + record.kind().outcome().reason();
        }
        if (!rawTopic.equals(header(letter, DeadLetters.SOURCE_TOPIC))) {
            return "source topic " + header(letter, DeadLetters.SOURCE_TOPIC);
        }
        if (!Arrays.equals(record.value(), letter.value())) {
            return "the original bytes were not kept";
        }
        if (!Arrays.equals(record.id().getBytes(StandardCharsets.UTF_8), letter.key())) {
            return "the original key was not kept";
        }
        return null;
    }

    private static int report(FaultRun run, List<String> details, BadInputCatalogue kind, String problem,
            String what) {
        String expected = kind.outcome().deadLettered() ? "dead letter " + kind.outcome().reason()
                : "classified" + (kind.outcome().truncated() ? ", truncated" : "");
        run.say(details, "%-42s %-40s %s", kind.name().toLowerCase().replace('_', '-'), expected,
                problem == null ? "ok (" + what + ")" : "WRONG: " + problem);
        return problem == null ? 0 : 1;
    }

    private static boolean countersMatch(FaultRun run, List<String> details, ServiceProcess service, List<Sent> sent) {
        PrometheusSamples samples = service.metrics().orElseThrow();
        Map<String, Double> expectedByReason = new LinkedHashMap<>();
        long classified = 0;
        long truncated = 0;
        for (Sent record : sent) {
            if (record.kind().outcome().deadLettered()) {
                expectedByReason.merge(record.kind().outcome().reason(), 1.0, Double::sum);
            } else {
                classified++;
                truncated += record.kind().outcome().truncated() ? 1 : 0;
            }
        }
        Map<String, Double> byReason = samples.byLabel("news_articles_dead_lettered_total", "reason");
        boolean match = byReason.equals(expectedByReason)
                && samples.sum("news_articles_received_total") == sent.size()
                && samples.sum("news_articles_classified_total") == classified
                && samples.sum("news_articles_truncated_total") == truncated;
        run.say(details, "counters: received %.0f, classified %.0f, truncated %.0f, dead-lettered %s: %s",
                samples.sum("news_articles_received_total"), samples.sum("news_articles_classified_total"),
                samples.sum("news_articles_truncated_total"), byReason, match ? "as sent" : "DIFFERENT from "
                        + expectedByReason + ", " + classified + " classified, " + truncated + " truncated");
        return match;
    }

    private static String header(ConsumerRecord<?, ?> record, String key) {
        Header header = record.headers().lastHeader(key);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
