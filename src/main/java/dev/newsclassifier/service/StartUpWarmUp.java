package dev.newsclassifier.service;

import dev.newsclassifier.avro.ClassifiedArticle;
import dev.newsclassifier.avro.NewsArticle;
import dev.newsclassifier.dataset.BuiltInSample;
import dev.newsclassifier.inference.Classifier;
import dev.newsclassifier.topology.ArticleDecoder;
import dev.newsclassifier.topology.BufferStoreKind;
import dev.newsclassifier.topology.InferenceHealth;
import dev.newsclassifier.topology.NewsClassifierTopology;
import dev.newsclassifier.topology.PipelineMetrics;
import dev.newsclassifier.topology.TopologySettings;
import dev.newsclassifier.topology.UndecodableArticleException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.jboss.logging.Logger;

/**
 * Warms the service up before it joins the consumer group: the service's own topology, built as it runs (intake,
 * text rule, buffer store and its serde, the thread's batcher, the serving model, the labeled article's encoding),
 * classifies built-in sample articles in Kafka Streams' test driver, without a broker. A replica that starts cold
 * runs at about two thirds of its speed for its first minute while the JIT compiles that code, exactly when lag
 * brought it up; warmed this way, it takes partitions with the hot path already compiled and the model's sessions
 * already run on texts of every length.
 *
 * <p>The sample's records are plain Avro (the registry's wire format has its own warm-up, {@link RegistryWarmUp}),
 * the buffer store is in memory (so the driver writes no state directory) and the metrics go to a registry of their
 * own, so nothing of this run is seen outside: not in Kafka, not on disk, not in {@code /q/metrics}.
 */
final class StartUpWarmUp {

    private static final Logger LOG = Logger.getLogger(StartUpWarmUp.class);

    private StartUpWarmUp() {
    }

    /**
     * Runs {@code articles} sample articles (the built-in sample, repeated) through the topology of these settings on
     * this classifier; returns how many came out labeled.
     */
    static int run(TopologySettings settings, Classifier classifier, int articles) {
        if (articles <= 0) {
            return 0;
        }
        long started = System.nanoTime();
        TopologySettings inMemory = new TopologySettings(settings.rawTopic(), settings.labeledTopic(),
                settings.deadLetterTopic(), settings.batchMaxSize(), settings.batchMaxDelay(), settings.maxTextChars(),
                settings.maxRecordBytes(), settings.maxDeadLetterPayloadBytes(), BufferStoreKind.IN_MEMORY,
                settings.review(), settings.reviewTopic(), settings.shadowTopic(), settings.explain());
        Serde<ClassifiedArticle> labeledSerde = Serdes.serdeFrom((topic, value) -> encode(value), (topic, bytes) -> {
            throw new UnsupportedOperationException("the warm-up reads labeled articles as bytes");
        });
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "news-classifier-warm-up");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "warm-up.invalid:9092");
        List<NewsArticle> sample = sample(classifier);
        int labeled;
        try (TopologyTestDriver driver = new TopologyTestDriver(NewsClassifierTopology.build(inMemory,
                StartUpWarmUp::decode, labeledSerde, classifier, new PipelineMetrics(new SimpleMeterRegistry()),
                new InferenceHealth()), props)) {
            TestInputTopic<byte[], byte[]> input = driver.createInputTopic(settings.rawTopic(),
                    new ByteArraySerializer(), new ByteArraySerializer());
            TestOutputTopic<String, byte[]> output = driver.createOutputTopic(settings.labeledTopic(),
                    new StringDeserializer(), new ByteArrayDeserializer());
            for (int i = 0; i < articles; i++) {
                NewsArticle article = sample.get(i % sample.size());
                String id = "warm-up-" + i;
                input.pipeInput(id.getBytes(StandardCharsets.UTF_8), encode(NewsArticle.newBuilder(article).setId(id)
                        .build()));
            }
            // Two checks: the first sees the last arrivals, the second finds input stopped and runs the rest.
            driver.advanceWallClockTime(Duration.ofMillis(1));
            driver.advanceWallClockTime(Duration.ofMillis(1));
            labeled = output.getQueueSize() > 0 ? output.readValuesToList().size() : 0;
        }
        LOG.infof("Warmed up on %d sample articles in %d ms (%d labeled) before joining the consumer group", articles,
                (System.nanoTime() - started) / 1_000_000, labeled);
        return labeled;
    }

    private static List<NewsArticle> sample(Classifier classifier) {
        return BuiltInSample.read(classifier.model().labels(), false).stream()
                .map(article -> NewsArticle.newBuilder().setId(article.id()).setTitle(article.title())
                        .setDescription(article.description()).setSource(article.source()).build())
                .toList();
    }

    private static NewsArticle decode(String topic, org.apache.kafka.common.header.Headers headers, byte[] value) {
        try {
            return new SpecificDatumReader<>(NewsArticle.class).read(null,
                    DecoderFactory.get().binaryDecoder(value, null));
        } catch (IOException e) {
            throw new UndecodableArticleException("MALFORMED_AVRO", "not a NewsArticle: " + e.getMessage(), e);
        }
    }

    private static <T extends SpecificRecord> byte[] encode(T record) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            var encoder = EncoderFactory.get().binaryEncoder(out, null);
            new SpecificDatumWriter<T>(record.getSchema()).write(record, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
