package dev.newsclassifier.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.newsclassifier.avro.ClassifiedArticle;
import dev.newsclassifier.avro.NewsArticle;
import dev.newsclassifier.inference.Classification;
import dev.newsclassifier.inference.Classifier;
import dev.newsclassifier.inference.InferenceException;
import dev.newsclassifier.inference.ModelConfig;
import dev.newsclassifier.inference.ModelSlot;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A shadow model classifies the primary's batches again; its labels go to the shadow topic and never hold it back. */
class ShadowModelTopologyTest {

    private static final String RAW = "news.raw";
    private static final String LABELED = "news.labeled";
    private static final String SHADOW = "news.labeled.shadow";
    private static final String DEAD_LETTERS = "news.dead-letter";
    private static final Instant START = Instant.parse("2026-12-07T08:00:00Z");
    private static final int MAX_SIZE = 4;

    /** Labels a text with the first label whose name it mentions, index 0 otherwise; fails on "POISON". */
    private static class ByName implements Classifier {
        private final ModelConfig config;
        final List<Integer> batchSizes = new ArrayList<>();

        ByName(String name) {
            config = new ModelConfig(name, "1.0.0", StubClassifier.MODEL.labels(), 128, StubClassifier.MODEL.textRule());
        }

        @Override
        public List<Classification> classify(List<String> texts) {
            batchSizes.add(texts.size());
            if (texts.stream().anyMatch(text -> text.contains("POISON"))) {
                throw new InferenceException("cannot take it");
            }
            return texts.stream().map(this::label).toList();
        }

        Classification label(String text) {
            float[] probabilities = {0.1f, 0.1f, 0.1f, 0.1f};
            int index = text.contains("Sports") ? 1 : 0;
            probabilities[index] = 0.7f;
            return new Classification(index, probabilities, false);
        }

        @Override
        public ModelConfig model() {
            return config;
        }
    }

    /** A primary that sees no sports: it labels everything World. */
    private static final class NoSports extends ByName {
        NoSports() {
            super("primary");
        }

        @Override
        Classification label(String text) {
            return new Classification(0, new float[] {0.7f, 0.1f, 0.1f, 0.1f}, false);
        }
    }

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ByName shadowModel = new ByName("shadow");
    private final ModelSlot shadow = new ModelSlot(shadowModel);
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> raw;

    private void start(Optional<String> shadowTopic) {
        TopologySettings settings = new TopologySettings(RAW, LABELED, DEAD_LETTERS, MAX_SIZE, Duration.ofSeconds(10),
                1_000, 100_000, 100_000, BufferStoreKind.IN_MEMORY, ReviewPolicy.OFF, Optional.empty(), shadowTopic);
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "shadow-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(NewsClassifierTopology.build(settings, PlainAvroCodec.articleDecoder(),
                PlainAvroCodec.serde(ClassifiedArticle.class), new NoSports(), shadow, Optional.empty(), new PipelineMetrics(meters),
                new InferenceHealth()), config, START);
        raw = driver.createInputTopic(RAW, Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
    }

    @AfterEach
    void close() {
        driver.close();
    }

    private void publish(String... titles) {
        for (String title : titles) {
            String id = title.toLowerCase().replace(' ', '-');
            NewsArticle article = NewsArticle.newBuilder().setId(id).setTitle(title).setDescription("text").build();
            RecordHeaders headers = new RecordHeaders();
            headers.add("replay.run-id", "run-1".getBytes(StandardCharsets.UTF_8));
            raw.pipeInput(new TestRecord<>(id.getBytes(StandardCharsets.UTF_8), PlainAvroCodec.encode(article),
                    headers, START));
        }
    }

    private List<TestRecord<String, ClassifiedArticle>> read(String topic) {
        TestOutputTopic<String, ClassifiedArticle> output = driver.createOutputTopic(topic,
                Serdes.String().deserializer(), PlainAvroCodec.serde(ClassifiedArticle.class).deserializer());
        return output.readRecordsToList();
    }

    private static Map<String, String> labelsById(List<TestRecord<String, ClassifiedArticle>> records) {
        return records.stream().map(TestRecord::value)
                .collect(Collectors.toMap(ClassifiedArticle::getId, ClassifiedArticle::getLabel));
    }

    private double shadowArticles(String agreement) {
        var counter = meters.find("news.shadow.articles").tag("agreement", agreement).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void shouldWriteTheShadowsLabelsOfEveryBatchToTheShadowTopicAndCountAgreement() {
        start(Optional.of(SHADOW));

        publish("Sports one", "Markets", "Sports two", "Elections");

        List<TestRecord<String, ClassifiedArticle>> shadowed = read(SHADOW);
        assertThat(labelsById(read(LABELED))).containsOnlyKeys("sports-one", "markets", "sports-two", "elections")
                .containsValues("World").doesNotContainValue("Sports");
        assertThat(labelsById(shadowed)).containsExactlyInAnyOrderEntriesOf(Map.of("sports-one", "Sports",
                "markets", "World", "sports-two", "Sports", "elections", "World"));
        assertThat(shadowed).allSatisfy(record -> {
            assertThat(record.value().getModelName()).isEqualTo("shadow");
            // The input's headers travel along, so that evaluate --compare finds a replay run's shadow labels.
            assertThat(record.headers().lastHeader("replay.run-id").value()).asString(StandardCharsets.UTF_8)
                    .isEqualTo("run-1");
        });
        assertThat(shadowArticles("agree")).isEqualTo(2);
        assertThat(shadowArticles("disagree")).isEqualTo(2);
        assertThat(meters.get("news.shadow.inference.duration").timer().count()).isEqualTo(1);
    }

    @Test
    void shouldLabelEveryArticleAsBeforeWhenTheShadowFails() {
        start(Optional.of(SHADOW));
        shadow.replace(new ByName("shadow") {
            @Override
            public List<Classification> classify(List<String> texts) {
                throw new InferenceException("the shadow's runtime broke");
            }
        });

        publish("Sports one", "Markets", "Sports two", "Elections");

        assertThat(read(LABELED)).hasSize(4);
        assertThat(read(SHADOW)).isEmpty();
        assertThat(meters.get("news.shadow.failures").counter().count()).isEqualTo(1);
    }

    @Test
    void shouldShadowOnlyTheArticlesThePrimaryLabeled() {
        start(Optional.of(SHADOW));

        publish("Sports one", "POISON", "Sports two", "Elections");

        assertThat(labelsById(read(SHADOW))).containsOnlyKeys("sports-one", "sports-two", "elections");
        assertThat(driver.createOutputTopic(DEAD_LETTERS, Serdes.ByteArray().deserializer(),
                Serdes.ByteArray().deserializer()).readKeyValuesToList()).hasSize(1);
    }

    @Test
    void shouldStopWritingShadowLabelsOnceTheShadowIsStopped() {
        start(Optional.of(SHADOW));
        publish("Sports one", "Markets", "Sports two", "Elections");
        assertThat(read(SHADOW)).hasSize(4);

        shadow.replace(null);
        publish("Sports three", "Bonds", "Sports four", "Summit");

        assertThat(read(LABELED)).hasSize(8);
        assertThat(read(SHADOW)).isEmpty();
    }

    @Test
    void shouldRunNoShadowWithoutAShadowTopic() {
        start(Optional.empty());

        publish("Sports one", "Markets", "Sports two", "Elections");

        assertThat(read(LABELED)).hasSize(4);
        assertThat(shadowModel.batchSizes).isEmpty();
        assertThat(driver.producedTopicNames()).doesNotContain(SHADOW);
    }
}
