package dev.newsclassifier.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.newsclassifier.avro.ClassifiedArticle;
import dev.newsclassifier.avro.NewsArticle;
import dev.newsclassifier.dataset.LabeledArticle;
import dev.newsclassifier.inference.OnnxClassifier;
import dev.newsclassifier.inference.TextRule;
import dev.newsclassifier.registry.SchemaRegistryClient;
import dev.newsclassifier.serde.ConfluentAvroDeserializer;
import dev.newsclassifier.serde.ConfluentAvroSerializer;
import dev.newsclassifier.service.NewsConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.QuarkusApplication;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The benchmark's three phases, run inside the service once it is up; see {@link BenchmarkCommand}. */
public class BenchmarkApplication implements QuarkusApplication {

    @Inject
    NewsConfig config;

    @Inject
    KafkaStreams streams;

    @Inject
    OnnxClassifier classifier;

    @Inject
    SchemaRegistryClient registry;

    @Inject
    MeterRegistry meters;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = BenchmarkCommand.PREFIX + "input")
    Optional<String> input;

    @ConfigProperty(name = BenchmarkCommand.PREFIX + "count", defaultValue = "3000")
    int count;

    @ConfigProperty(name = BenchmarkCommand.PREFIX + "paced-seconds", defaultValue = "20")
    int pacedSeconds;

    @ConfigProperty(name = BenchmarkCommand.PREFIX + "paced-fraction", defaultValue = "0.8")
    double pacedFraction;

    @ConfigProperty(name = BenchmarkCommand.PREFIX + "json")
    Optional<String> json;

    private final PrintStream out = System.out;

    @Override
    public int run(String... args) throws Exception {
        List<LabeledArticle> articles = articles();
        int batchSize = config.batch().maxSize();
        out.printf("Model %s %s on %s; %d texts; batch max-size %d, max-delay %d ms, chunk-size %d, concurrent chunks %d, "
                + "intra-op threads %s%n",
                classifier.model().name(), classifier.model().version(), classifier.device(), articles.size(), batchSize,
                config.batch().maxDelay().toMillis(), config.inference().chunkSize(), classifier.concurrentChunks(),
                config.inference().intraOpThreads() == 0 ? "all" : config.inference().intraOpThreads());
        while (streams.state() != KafkaStreams.State.RUNNING) {
            Thread.sleep(100);
        }
        streams.pause();

        double modelOnly = modelOnlyRate(articles, batchSize);
        out.printf("  model only:              %8.1f articles/s%n", modelOnly);

        publish(articles, "drain", 0);
        long resumedAt = System.currentTimeMillis();
        streams.resume();
        List<ConsumerRecord<String, ClassifiedArticle>> drained = collect(articles.size(), "drain-",
                Duration.ofMinutes(10));
        long lastClassified = drained.stream().mapToLong(r -> r.value().getClassifiedAt().toEpochMilli()).max().orElse(resumedAt);
        double endToEnd = drained.size() * 1000.0 / Math.max(1, lastClassified - resumedAt);
        out.printf("  through Kafka (backlog): %8.1f articles/s  (%.0f%% of model only, %d of %d classified)%n",
                endToEnd, 100 * endToEnd / modelOnly, drained.size(), articles.size());
        // Where the streaming time went: the service's own inference timer over the same drain.
        Timer inference = meters.get("news.inference.duration").timer();
        double inferenceSeconds = inference.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS) / 1e9;
        out.printf("    in-stream inference:   %8.1f articles/s over %d batches (mean %.1f articles), %.0f%% of the drain%n",
                drained.size() / inferenceSeconds, inference.count(), drained.size() / (double) Math.max(1, inference.count()),
                100 * inferenceSeconds / ((lastClassified - resumedAt) / 1000.0));

        double pacedRate = Math.max(1, endToEnd * pacedFraction);
        int pacedCount = (int) Math.round(pacedRate * pacedSeconds);
        List<LabeledArticle> paced = new ArrayList<>();
        for (int i = 0; i < pacedCount; i++) {
            paced.add(articles.get(i % articles.size()));
        }
        Thread publisher = new Thread(() -> publish(paced, "paced", pacedRate), "benchmark-publisher");
        publisher.start();
        List<ConsumerRecord<String, ClassifiedArticle>> steady = collect(pacedCount, "paced-",
                Duration.ofSeconds(pacedSeconds + 120L));
        publisher.join();
        long[] latencies = steady.stream()
                .mapToLong(r -> r.value().getClassifiedAt().toEpochMilli() - r.timestamp()).sorted().toArray();
        out.printf("  steady %.0f articles/s for %d s: end-to-end latency p50 %d ms, p95 %d ms, p99 %d ms (%d articles)%n",
                pacedRate, pacedSeconds, DemoReport.percentile(latencies, 50), DemoReport.percentile(latencies, 95),
                DemoReport.percentile(latencies, 99), latencies.length);

        if (json.isPresent()) {
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("model", classifier.model().name() + " " + classifier.model().version());
            figures.put("device", classifier.device().name());
            figures.put("texts", articles.size());
            figures.put("batch_max_size", batchSize);
            figures.put("batch_max_delay_ms", config.batch().maxDelay().toMillis());
            figures.put("chunk_size", config.inference().chunkSize());
            figures.put("concurrent_chunks", classifier.concurrentChunks());
            figures.put("intra_op_threads", config.inference().intraOpThreads());
            figures.put("model_only_articles_per_second", modelOnly);
            figures.put("end_to_end_articles_per_second", endToEnd);
            figures.put("end_to_end_fraction_of_model_only", endToEnd / modelOnly);
            figures.put("paced_articles_per_second", pacedRate);
            figures.put("paced_latency_ms", Map.of("p50", DemoReport.percentile(latencies, 50),
                    "p95", DemoReport.percentile(latencies, 95), "p99", DemoReport.percentile(latencies, 99)));
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(Path.of(json.get()).toFile(), figures);
            out.println("  figures written to " + json.get());
        }
        return drained.size() == articles.size() && steady.size() == pacedCount ? 0 : 1;
    }

    private List<LabeledArticle> articles() throws IOException {
        List<LabeledArticle> read = SampleArticles.read(input, classifier.model().labels(), true);
        List<LabeledArticle> articles = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            articles.add(read.get(i % read.size()));
        }
        return articles;
    }

    /** The same session and batch size the stream uses, with no Kafka: the ceiling for streaming. */
    private double modelOnlyRate(List<LabeledArticle> articles, int batchSize) {
        List<String> texts = articles.stream().map(a -> TextRule.apply(a.title(), a.description())).toList();
        for (int start = 0; start < Math.min(texts.size(), 4 * batchSize); start += batchSize) {
            classifier.classify(texts.subList(start, Math.min(texts.size(), start + batchSize)));
        }
        long started = System.nanoTime();
        for (int start = 0; start < texts.size(); start += batchSize) {
            classifier.classify(texts.subList(start, Math.min(texts.size(), start + batchSize)));
        }
        return texts.size() / ((System.nanoTime() - started) / 1e9);
    }

    /** Publishes with fresh ids; at {@code ratePerSecond} when positive, else as fast as possible. */
    private void publish(List<LabeledArticle> articles, String idPrefix, double ratePerSecond) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.LINGER_MS_CONFIG, ratePerSecond > 0 ? 0 : 10);
        long started = System.nanoTime();
        try (KafkaProducer<String, NewsArticle> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ConfluentAvroSerializer<>(registry))) {
            for (int i = 0; i < articles.size(); i++) {
                if (ratePerSecond > 0) {
                    long due = started + (long) (i * 1e9 / ratePerSecond);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        try {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                }
                LabeledArticle article = articles.get(i);
                String id = idPrefix + "-" + i;
                producer.send(new ProducerRecord<>(config.topics().raw(), id, NewsArticle.newBuilder().setId(id)
                        .setTitle(article.title()).setDescription(article.description()).build()));
            }
            producer.flush();
        }
    }

    private List<ConsumerRecord<String, ClassifiedArticle>> collect(int expected, String idPrefix, Duration timeout) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "news-classifier-benchmark-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, ClassifiedArticle>> records = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, ClassifiedArticle> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ConfluentAvroDeserializer<>(registry, ClassifiedArticle.class))) {
            consumer.subscribe(List.of(config.topics().labeled()));
            while (records.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, ClassifiedArticle> record : consumer.poll(Duration.ofMillis(100))) {
                    if (record.key().startsWith(idPrefix)) {
                        records.add(record);
                    }
                }
            }
        }
        return records;
    }
}
