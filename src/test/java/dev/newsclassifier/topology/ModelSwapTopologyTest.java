package dev.newsclassifier.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.newsclassifier.avro.ClassifiedArticle;
import dev.newsclassifier.avro.NewsArticle;
import dev.newsclassifier.inference.Classification;
import dev.newsclassifier.inference.Classifier;
import dev.newsclassifier.inference.InferenceException;
import dev.newsclassifier.inference.ModelConfig;
import dev.newsclassifier.inference.SwappableClassifier;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A model swapped while the stream runs: each batch is labeled by one model, and its articles name it. */
class ModelSwapTopologyTest {

    private static final String RAW = "news.raw";
    private static final String LABELED = "news.labeled";
    private static final String DEAD_LETTERS = "news.dead-letter";
    private static final Instant START = Instant.parse("2026-12-07T08:00:00Z");
    private static final int MAX_SIZE = 4;

    /** Labels every text 0; fails any call holding a text with "POISON", as a runtime fails a whole batch. */
    private static class Versioned implements Classifier {
        private final ModelConfig config;

        Versioned(String version) {
            config = new ModelConfig(StubClassifier.MODEL.name(), version, StubClassifier.MODEL.labels(), 128,
                    StubClassifier.MODEL.textRule());
        }

        @Override
        public List<Classification> classify(List<String> texts) {
            if (texts.stream().anyMatch(text -> text.contains("POISON"))) {
                throw new InferenceException("cannot take it");
            }
            return texts.stream().map(text -> new Classification(0, new float[] {0.7f, 0.1f, 0.1f, 0.1f}, false))
                    .toList();
        }

        @Override
        public ModelConfig model() {
            return config;
        }
    }

    private final SwappableClassifier serving = new SwappableClassifier(new Versioned("1.0.0"));
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> raw;

    @BeforeEach
    void start() {
        TopologySettings settings = new TopologySettings(RAW, LABELED, DEAD_LETTERS, MAX_SIZE, Duration.ofSeconds(10),
                1_000, 100_000, 100_000, BufferStoreKind.IN_MEMORY, ReviewPolicy.OFF, Optional.empty());
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "swap-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(NewsClassifierTopology.build(settings, PlainAvroCodec.articleDecoder(),
                PlainAvroCodec.serde(ClassifiedArticle.class), serving, new PipelineMetrics(new SimpleMeterRegistry()),
                new InferenceHealth()), config, START);
        raw = driver.createInputTopic(RAW, Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
    }

    @AfterEach
    void close() {
        driver.close();
    }

    private void publish(String... ids) {
        for (String id : ids) {
            NewsArticle article = NewsArticle.newBuilder().setId(id).setTitle(id).setDescription("text").build();
            raw.pipeInput(id.getBytes(StandardCharsets.UTF_8), PlainAvroCodec.encode(article), START);
        }
    }

    /** The model version of each labeled article, by id, in output order. */
    private Map<String, String> labeledVersions() {
        Map<String, String> versions = new LinkedHashMap<>();
        driver.createOutputTopic(LABELED, Serdes.String().deserializer(),
                PlainAvroCodec.serde(ClassifiedArticle.class).deserializer()).readValuesToList()
                .forEach(article -> versions.put(article.getId(), article.getModelVersion()));
        return versions;
    }

    @Test
    void shouldLabelArticlesAfterASwapWithTheNewModelsVersion() {
        publish("a1", "a2", "a3", "a4");
        serving.swap(new Versioned("2.0.0"));
        publish("b1", "b2", "b3", "b4");

        assertThat(labeledVersions()).containsExactly(Map.entry("a1", "1.0.0"), Map.entry("a2", "1.0.0"),
                Map.entry("a3", "1.0.0"), Map.entry("a4", "1.0.0"), Map.entry("b1", "2.0.0"),
                Map.entry("b2", "2.0.0"), Map.entry("b3", "2.0.0"), Map.entry("b4", "2.0.0"));
    }

    @Test
    void shouldKeepOneModelThroughARetriedAndSplitBatchWhileASwapWaits() throws Exception {
        AtomicReference<CompletableFuture<ModelConfig>> swap = new AtomicReference<>();
        serving.swap(new Versioned("1.0.0") {
            @Override
            public List<Classification> classify(List<String> texts) {
                // The first call of the batch asks for a swap, which must wait for the retry and every split.
                if (swap.get() == null) {
                    swap.set(CompletableFuture.supplyAsync(() -> serving.swap(new Versioned("2.0.0"))));
                }
                return super.classify(texts);
            }
        });

        publish("a1", "a2", "POISON", "a4");
        ModelConfig replaced = swap.get().get(5, TimeUnit.SECONDS);
        publish("b1", "b2", "b3", "b4");

        assertThat(replaced.version()).isEqualTo("1.0.0");
        assertThat(labeledVersions()).containsExactly(Map.entry("a1", "1.0.0"), Map.entry("a2", "1.0.0"),
                Map.entry("a4", "1.0.0"), Map.entry("b1", "2.0.0"), Map.entry("b2", "2.0.0"),
                Map.entry("b3", "2.0.0"), Map.entry("b4", "2.0.0"));
        assertThat(driver.createOutputTopic(DEAD_LETTERS, Serdes.ByteArray().deserializer(),
                Serdes.ByteArray().deserializer()).readKeyValuesToList()).hasSize(1);
    }
}
