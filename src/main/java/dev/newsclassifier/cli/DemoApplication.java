package dev.newsclassifier.cli;

import dev.newsclassifier.avro.ClassifiedArticle;
import dev.newsclassifier.avro.NewsArticle;
import dev.newsclassifier.dataset.LabeledArticle;
import dev.newsclassifier.inference.OnnxClassifier;
import dev.newsclassifier.registry.SchemaRegistryClient;
import dev.newsclassifier.serde.ConfluentAvroDeserializer;
import dev.newsclassifier.serde.ConfluentAvroSerializer;
import dev.newsclassifier.service.NewsConfig;
import io.quarkus.runtime.QuarkusApplication;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintStream;
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

/** The demo's driver, run once the service is up: publish, collect the labeled results, summarize. */
public class DemoApplication implements QuarkusApplication {

    @Inject
    NewsConfig config;

    @Inject
    KafkaStreams streams;

    @Inject
    OnnxClassifier classifier;

    @Inject
    SchemaRegistryClient registry;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = DemoCommand.INPUT_PROPERTY)
    Optional<String> input;

    @ConfigProperty(name = DemoCommand.LIMIT_PROPERTY, defaultValue = "0")
    int limit;

    @ConfigProperty(name = DemoCommand.TIMEOUT_PROPERTY, defaultValue = "180")
    int timeoutSeconds;

    @ConfigProperty(name = DemoCommand.KEEP_RUNNING_PROPERTY, defaultValue = "false")
    boolean keepRunning;

    private final PrintStream out = System.out;

    @Override
    public int run(String... args) throws Exception {
        List<LabeledArticle> articles = readArticles();
        out.printf("Model %s %s (%s), labels %s%n", classifier.model().name(), classifier.model().version(),
                classifier.device().name().toLowerCase(java.util.Locale.ROOT), classifier.model().labels());
        if (!awaitRunning(Duration.ofSeconds(60))) {
            out.println("Kafka Streams did not reach RUNNING within 60 s (state " + streams.state() + ")");
            return 1;
        }
        long publishedAt = System.currentTimeMillis();
        publish(articles);
        out.printf("Published %d articles to %s; waiting for labels on %s ...%n%n", articles.size(),
                config.topics().raw(), config.topics().labeled());
        Map<String, DemoReport.Received> results = collect(articles, publishedAt);
        long finishedAt = System.currentTimeMillis();
        DemoReport report = new DemoReport(articles, results, publishedAt, finishedAt);
        report.print(out);
        if (keepRunning) {
            printKeepRunning();
            io.quarkus.runtime.Quarkus.waitForExit();
            return 0;
        }
        return results.size() == articles.size() ? 0 : 1;
    }

    /** Where the tools find the stack that stays up, with commands to paste into another terminal. */
    private void printKeepRunning() {
        String connect = "--bootstrap-servers " + bootstrapServers + " --registry-url " + config.registry().url();
        out.println();
        out.println("The broker, the schema registry and the service keep running; press Ctrl-C to stop them.");
        out.println("  bootstrap servers  " + bootstrapServers);
        out.println("  schema registry    " + config.registry().url());
        out.println("  topics             " + config.topics().raw() + " -> " + config.topics().labeled()
                + " (dead letters: " + config.topics().deadLetter() + ")");
        out.println("Try, from another terminal:");
        out.println("  ./news-classifier consume " + connect);
        out.println("  ./news-classifier publish " + connect + " --title \"Champions win the cup final\"");
        out.println("  ./news-classifier replay " + connect + " --file data.csv --rate 20 --run-id try-1");
        out.println("  ./news-classifier evaluate " + connect + " --run-id try-1");
        out.flush();
    }

    private List<LabeledArticle> readArticles() throws IOException {
        List<LabeledArticle> articles = SampleArticles.read(input, classifier.model().labels(), false);
        return limit > 0 && articles.size() > limit ? articles.subList(0, limit) : articles;
    }

    private boolean awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(100);
        }
        return true;
    }

    private void publish(List<LabeledArticle> articles) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        try (KafkaProducer<String, NewsArticle> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ConfluentAvroSerializer<>(registry))) {
            for (LabeledArticle article : articles) {
                NewsArticle event = NewsArticle.newBuilder()
                        .setId(article.id())
                        .setTitle(article.title())
                        .setDescription(article.description())
                        .setSource(article.source())
                        .setLanguage("en")
                        .build();
                producer.send(new ProducerRecord<>(config.topics().raw(), article.id(), event));
            }
            producer.flush();
        }
    }

    private Map<String, DemoReport.Received> collect(List<LabeledArticle> articles, long publishedAt) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "news-classifier-demo-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, DemoReport.Received> results = new LinkedHashMap<>();
        List<String> expected = new ArrayList<>(articles.stream().map(LabeledArticle::id).toList());
        long deadline = publishedAt + Duration.ofSeconds(timeoutSeconds).toMillis();
        try (KafkaConsumer<String, ClassifiedArticle> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ConfluentAvroDeserializer<>(registry, ClassifiedArticle.class))) {
            consumer.subscribe(List.of(config.topics().labeled()));
            while (results.size() < expected.size() && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, ClassifiedArticle> record : consumer.poll(Duration.ofMillis(200))) {
                    results.put(record.key(), new DemoReport.Received(record.value(), record.timestamp()));
                }
            }
        }
        return results;
    }
}
