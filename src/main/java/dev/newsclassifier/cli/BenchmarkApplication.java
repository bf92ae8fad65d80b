package dev.newsclassifier.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.newsclassifier.avro.ClassifiedArticle;
import dev.newsclassifier.avro.NewsArticle;
import dev.newsclassifier.dataset.LabeledArticle;
import dev.newsclassifier.inference.Classifier;
import dev.newsclassifier.inference.ConstantClassifier;
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
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The benchmark's phases, run inside the service once it is up; see {@link BenchmarkCommand}. */
public class BenchmarkApplication implements QuarkusApplication {

    @Inject
    NewsConfig config;

    @Inject
    KafkaStreams streams;

    @Inject
    OnnxClassifier onnx;

    /** What the stream runs: the model, or with news.inference.constant-model the constant classifier. */
    private Classifier classifier;

    @Inject
    SchemaRegistryClient registry;

    @Inject
    MeterRegistry meters;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "quarkus.kafka-streams.application-id")
    String applicationId;

    private CpuByComponent cpu;

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
        classifier = config.inference().constantModel() ? new ConstantClassifier(onnx.model()) : onnx;
        cpu = new CpuByComponent(applicationId);
        List<LabeledArticle> articles = articles();
        int batchSize = config.batch().maxSize();
        out.printf("Model %s %s on %s; %d texts; batch max-size %d, max-delay %d ms, chunk-size %d, concurrent chunks %d, "
                + "intra-op threads %s; start-up warm-up %d articles%n",
                classifier.model().name(), classifier.model().version(), device(), articles.size(), batchSize,
                config.batch().maxDelay().toMillis(), config.inference().chunkSize(), onnx.concurrentChunks(),
                config.inference().intraOpThreads() == 0 ? "all" : config.inference().intraOpThreads(),
                config.warmUp().articles());
        while (streams.state() != KafkaStreams.State.RUNNING) {
            Thread.sleep(100);
        }
        // First what a replica does right after it started (its start-up warm-up done, nothing else): the cold drain.
        Drain cold = drain(articles, "cold");
        out.printf("  cold drain (just started): %8.1f articles/s%n", cold.rate());
        streams.pause();
        double modelOnly = modelOnlyRate(articles, batchSize);
        out.printf("  model only:                %8.1f articles/s%n", modelOnly);
        Drain warm = drain(articles, "warm");
        Map<String, Double> warmCpu = CpuByComponent.perArticleMs(warm.cpuBefore(), warm.cpuAfter(),
                warm.records().size());
        out.printf("  warm drain through Kafka:  %8.1f articles/s  (%.0f%% of model only; cold was %.0f%% of warm)%n",
                warm.rate(), 100 * warm.rate() / modelOnly, 100 * cold.rate() / warm.rate());
        OptionalDouble fullSpeedAfter = cold.secondsUntil(FULL_SPEED * warm.rate());
        out.printf("    cold drain at %.0f%% of the warm rate after: %s%n", 100 * FULL_SPEED,
                fullSpeedAfter.isPresent() ? String.format("%.0f s", fullSpeedAfter.getAsDouble()) : "never in the drain");
        // Where the streaming time went: the service's own inference timer over both drains.
        Timer inference = meters.get("news.inference.duration").timer();
        double inferenceSeconds = inference.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS) / 1e9;
        int drained = cold.records().size() + warm.records().size();
        out.printf("    in-stream inference:     %8.1f articles/s over %d batches (mean %.1f articles)%n",
                drained / inferenceSeconds, inference.count(), drained / (double) Math.max(1, inference.count()));

        double pacedRate = Math.max(1, warm.rate() * pacedFraction);
        int pacedCount = (int) Math.round(pacedRate * pacedSeconds);
        List<LabeledArticle> paced = new ArrayList<>();
        for (int i = 0; i < pacedCount; i++) {
            paced.add(articles.get(i % articles.size()));
        }
        Thread publisher = new Thread(() -> {
            publish(paced, "paced", pacedRate);
            cpu.addBenchmarkClientNanos(ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime());
        }, "benchmark-publisher");
        CpuByComponent.Snapshot pacedCpuBefore = cpu.snapshot();
        publisher.start();
        List<Received> steady = collect(pacedCount, "paced-", Duration.ofSeconds(pacedSeconds + 120L));
        publisher.join();
        Map<String, Double> pacedCpu = CpuByComponent.perArticleMs(pacedCpuBefore, cpu.snapshot(), steady.size());
        long[] classified = steady.stream()
                .mapToLong(r -> r.record().value().getClassifiedAt().toEpochMilli() - r.record().timestamp())
                .sorted().toArray();
        long[] visible = steady.stream().mapToLong(r -> r.receivedAt() - r.record().timestamp()).sorted().toArray();
        out.printf("  steady %.0f articles/s (%.0f%% of the warm drain) for %d s, %d articles:%n", pacedRate,
                100 * pacedFraction, pacedSeconds, classified.length);
        out.printf("    classified after  p50 %5d ms, p95 %5d ms, p99 %5d ms%n", DemoReport.percentile(classified, 50),
                DemoReport.percentile(classified, 95), DemoReport.percentile(classified, 99));
        out.printf("    visible (read_committed) after p50 %5d ms, p95 %5d ms, p99 %5d ms%n",
                DemoReport.percentile(visible, 50), DemoReport.percentile(visible, 95),
                DemoReport.percentile(visible, 99));

        printCpu(warmCpu, pacedCpu);

        if (json.isPresent()) {
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("model", classifier.model().name() + " " + classifier.model().version());
            figures.put("device", device());
            figures.put("texts", articles.size());
            figures.put("batch_max_size", batchSize);
            figures.put("batch_max_delay_ms", config.batch().maxDelay().toMillis());
            figures.put("chunk_size", config.inference().chunkSize());
            figures.put("concurrent_chunks", onnx.concurrentChunks());
            figures.put("intra_op_threads", config.inference().intraOpThreads());
            figures.put("warm_up_articles", config.warmUp().articles());
            figures.put("model_only_articles_per_second", modelOnly);
            figures.put("cold_drain_articles_per_second", cold.rate());
            figures.put("cold_drain_per_second", cold.perSecond());
            figures.put("cold_seconds_to_full_speed", fullSpeedAfter.isPresent() ? fullSpeedAfter.getAsDouble() : null);
            figures.put("end_to_end_articles_per_second", warm.rate());
            figures.put("end_to_end_fraction_of_model_only", warm.rate() / modelOnly);
            figures.put("cold_fraction_of_warm", cold.rate() / warm.rate());
            figures.put("inference_batches", inference.count());
            figures.put("paced_articles_per_second", pacedRate);
            figures.put("paced_latency_ms", Map.of("p50", DemoReport.percentile(classified, 50),
                    "p95", DemoReport.percentile(classified, 95), "p99", DemoReport.percentile(classified, 99)));
            figures.put("paced_visible_latency_ms", Map.of("p50", DemoReport.percentile(visible, 50),
                    "p95", DemoReport.percentile(visible, 95), "p99", DemoReport.percentile(visible, 99)));
            figures.put("cpu_ms_per_article", Map.of("warm_drain", warmCpu, "paced", pacedCpu));
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(Path.of(json.get()).toFile(), figures);
            out.println("  figures written to " + json.get());
        }
        boolean complete = cold.records().size() == articles.size() && warm.records().size() == articles.size()
                && steady.size() == pacedCount;
        return complete ? 0 : 1;
    }

    private String device() {
        return config.inference().constantModel() ? "none (constant model)" : onnx.device().name();
    }

    /** "Full speed": this fraction of the warm drain's rate. */
    private static final double FULL_SPEED = 0.9;

    /** A labeled article as the benchmark's read_committed consumer received it. */
    private record Received(ConsumerRecord<String, ClassifiedArticle> record, long receivedAt) {
    }

    private void printCpu(Map<String, Double> warmCpu, Map<String, Double> pacedCpu) {
        out.println("  CPU per article (ms), from per-thread CPU time:");
        out.printf("    %-62s %11s %8s%n", "component", "warm drain", "steady");
        for (String component : warmCpu.keySet()) {
            out.printf("    %-62s %11.3f %8.3f%n", component, warmCpu.get(component), pacedCpu.get(component));
        }
    }

    /**
     * A backlog drained from the moment the stream resumed: its records, when it resumed, and the CPU by component at
     * the resume and once every record was read.
     */
    private record Drain(List<Received> records, long resumedAt, CpuByComponent.Snapshot cpuBefore,
            CpuByComponent.Snapshot cpuAfter) {

        long lastClassified() {
            return records.stream().mapToLong(r -> r.record().value().getClassifiedAt().toEpochMilli()).max()
                    .orElse(resumedAt);
        }

        double rate() {
            return records.size() * 1000.0 / Math.max(1, lastClassified() - resumedAt);
        }

        /** Articles classified in each second after the resume (the last, partial second left out). */
        List<Integer> perSecond() {
            int seconds = (int) ((lastClassified() - resumedAt) / 1000);
            int[] counts = new int[Math.max(0, seconds)];
            for (Received r : records) {
                int second = (int) ((r.record().value().getClassifiedAt().toEpochMilli() - resumedAt) / 1000);
                if (second >= 0 && second < counts.length) {
                    counts[second]++;
                }
            }
            return java.util.Arrays.stream(counts).boxed().toList();
        }

        /** The end of the first whole second after the resume in which this drain classified at least {@code rate}. */
        OptionalDouble secondsUntil(double rate) {
            List<Integer> counts = perSecond();
            for (int second = 0; second < counts.size(); second++) {
                if (counts.get(second) >= rate) {
                    return OptionalDouble.of(second + 1);
                }
            }
            return OptionalDouble.empty();
        }
    }

    /** Publishes the articles while the stream is paused, then resumes it and collects them all. */
    private Drain drain(List<LabeledArticle> articles, String phase) {
        streams.pause();
        publish(articles, phase, 0);
        CpuByComponent.Snapshot cpuBefore = cpu.snapshot();
        long resumedAt = System.currentTimeMillis();
        streams.resume();
        List<Received> records = collect(articles.size(), phase + "-", Duration.ofMinutes(10));
        return new Drain(records, resumedAt, cpuBefore, cpu.snapshot());
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

    private List<Received> collect(int expected, String idPrefix, Duration timeout) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "news-classifier-benchmark-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<Received> records = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, ClassifiedArticle> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ConfluentAvroDeserializer<>(registry, ClassifiedArticle.class))) {
            consumer.subscribe(List.of(config.topics().labeled()));
            while (records.size() < expected && System.nanoTime() < deadline) {
                ConsumerRecords<String, ClassifiedArticle> polled = consumer.poll(Duration.ofMillis(100));
                long receivedAt = System.currentTimeMillis();
                for (ConsumerRecord<String, ClassifiedArticle> record : polled) {
                    if (record.key().startsWith(idPrefix)) {
                        records.add(new Received(record, receivedAt));
                    }
                }
            }
        }
        return records;
    }
}
