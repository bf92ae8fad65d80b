package dev.newsclassifier.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.newsclassifier.avro.ClassifiedArticle;
import dev.newsclassifier.avro.NewsArticle;
import dev.newsclassifier.inference.Classification;
import dev.newsclassifier.inference.Classifier;
import dev.newsclassifier.inference.ModelConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The words that decided a label, carried in the labeled record for the articles the explain policy picks. */
class ExplainTopologyTest {

    private static final String RAW = "news.raw";
    private static final String LABELED = "news.labeled";
    private static final Instant START = Instant.parse("2026-12-07T08:00:00Z");

    /** Sports, sure of it, when the text says "goal"; World, unsure, otherwise. */
    private static final Classifier GOALS = new Classifier() {
        @Override
        public List<Classification> classify(List<String> texts) {
            return texts.stream().map(text -> text.contains("goal")
                    ? new Classification(1, new float[] {0.02f, 0.94f, 0.02f, 0.02f}, false)
                    : new Classification(0, new float[] {0.4f, 0.3f, 0.2f, 0.1f}, false)).toList();
        }

        @Override
        public ModelConfig model() {
            return StubClassifier.MODEL;
        }
    };

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private TopologyTestDriver driver;

    private Map<String, List<String>> topWords(ExplainPolicy explain, ReviewPolicy review) {
        TopologySettings settings = new TopologySettings(RAW, LABELED, "news.dead-letter", 2, Duration.ofSeconds(10),
                1_000, 100_000, 100_000, BufferStoreKind.IN_MEMORY, review, Optional.empty(), Optional.empty(),
                explain);
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "explain-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(NewsClassifierTopology.build(settings, PlainAvroCodec.articleDecoder(),
                PlainAvroCodec.serde(ClassifiedArticle.class), GOALS, new PipelineMetrics(meters), new InferenceHealth()),
                config, START);
        TestInputTopic<byte[], byte[]> raw = driver.createInputTopic(RAW, Serdes.ByteArray().serializer(),
                Serdes.ByteArray().serializer());
        Map<String, String> titles = Map.of("match", "late goal wins the cup", "summit", "leaders meet in geneva");
        titles.forEach((id, title) -> raw.pipeInput(id.getBytes(StandardCharsets.UTF_8), PlainAvroCodec.encode(
                NewsArticle.newBuilder().setId(id).setTitle(title).setDescription("").build()), START));
        return driver.createOutputTopic(LABELED, Serdes.String().deserializer(),
                PlainAvroCodec.serde(ClassifiedArticle.class).deserializer()).readValuesToList().stream()
                .collect(Collectors.toMap(ClassifiedArticle::getId, ClassifiedArticle::getTopWords));
    }

    @AfterEach
    void close() {
        driver.close();
    }

    @Test
    void shouldListTheWordsThatDecidedEveryLabelInModeAll() {
        Map<String, List<String>> words = topWords(new ExplainPolicy(ExplainPolicy.Mode.ALL, 2, 64), ReviewPolicy.OFF);

        assertThat(words.get("match")).hasSize(2).first().isEqualTo("goal");
        assertThat(words.get("summit")).hasSize(2);
        assertThat(meters.get("news.explain.duration").timer().count()).isEqualTo(2);
    }

    @Test
    void shouldExplainOnlyTheArticlesThatNeedReview() {
        Map<String, List<String>> words = topWords(new ExplainPolicy(ExplainPolicy.Mode.NEEDS_REVIEW, 3, 64),
                new ReviewPolicy(OptionalDouble.of(0.5), OptionalDouble.empty()));

        assertThat(words.get("match")).isEmpty();
        assertThat(words.get("summit")).hasSize(3);
        assertThat(meters.get("news.explain.duration").timer().count()).isEqualTo(1);
    }

    @Test
    void shouldExplainNothingWhenOff() {
        Map<String, List<String>> words = topWords(ExplainPolicy.OFF, ReviewPolicy.OFF);

        assertThat(words.values()).allSatisfy(list -> assertThat(list).isEmpty());
        assertThat(meters.get("news.explain.duration").timer().count()).isZero();
    }
}
