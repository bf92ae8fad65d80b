package dev.newsclassifier.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

/** Review routing: which labeled articles are flagged needs_review, and the copies on the review topic. */
class ReviewRoutingTopologyTest {

    private static final String RAW = "news.raw";
    private static final String LABELED = "news.labeled";
    private static final String REVIEW = "news.review";
    private static final Instant START = Instant.parse("2026-12-07T08:00:00Z");

    /** The probabilities each test article gets, by id: sure, unsure, close call, sure but close (margin 0.2). */
    private static final Map<String, float[]> SCORES = Map.of(
            "sure", new float[] {0.94f, 0.02f, 0.02f, 0.02f},
            "unsure", new float[] {0.40f, 0.30f, 0.20f, 0.10f},
            "close", new float[] {0.48f, 0.46f, 0.03f, 0.03f},
            "fairly-sure", new float[] {0.58f, 0.38f, 0.02f, 0.02f});

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private TopologyTestDriver driver;

    /** Scores a text by the article id it starts with. */
    private static final Classifier BY_ID = new Classifier() {
        @Override
        public List<Classification> classify(List<String> texts) {
            return texts.stream().map(text -> new Classification(0, SCORES.get(text.split(" ")[0]), false)).toList();
        }

        @Override
        public ModelConfig model() {
            return StubClassifier.MODEL;
        }
    };

    private void start(ReviewPolicy review, Optional<String> reviewTopic) {
        TopologySettings settings = new TopologySettings(RAW, LABELED, "news.dead-letter", SCORES.size(),
                Duration.ofMillis(100), 1_000, 100_000, 100_000, BufferStoreKind.IN_MEMORY, review, reviewTopic);
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "review-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(NewsClassifierTopology.build(settings, PlainAvroCodec.articleDecoder(),
                PlainAvroCodec.serde(ClassifiedArticle.class), BY_ID, new PipelineMetrics(meters), new InferenceHealth()),
                config, START);
        TestInputTopic<byte[], byte[]> raw = driver.createInputTopic(RAW, Serdes.ByteArray().serializer(),
                Serdes.ByteArray().serializer());
        for (String id : List.of("sure", "unsure", "close", "fairly-sure")) {
            NewsArticle article = NewsArticle.newBuilder().setId(id).setTitle(id).setDescription("text").build();
            raw.pipeInput(id.getBytes(StandardCharsets.UTF_8), PlainAvroCodec.encode(article), START);
        }
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private Map<String, Boolean> flags() {
        return driver.createOutputTopic(LABELED, Serdes.String().deserializer(),
                PlainAvroCodec.serde(ClassifiedArticle.class).deserializer()).readValuesToList().stream()
                .collect(Collectors.toMap(ClassifiedArticle::getId, ClassifiedArticle::getNeedsReview));
    }

    private List<String> reviewTopic() {
        return driver.createOutputTopic(REVIEW, Serdes.String().deserializer(),
                PlainAvroCodec.serde(ClassifiedArticle.class).deserializer()).readKeyValuesToList().stream()
                .map(kv -> kv.key).toList();
    }

    private double needsReviewCount() {
        return meters.get("news.articles.needs-review").counter().count();
    }

    @Test
    void shouldFlagArticlesBelowTheConfidenceThresholdAndCopyThemToTheReviewTopic() {
        start(new ReviewPolicy(OptionalDouble.of(0.5), OptionalDouble.empty()), Optional.of(REVIEW));

        assertThat(flags()).containsExactlyInAnyOrderEntriesOf(
                Map.of("sure", false, "unsure", true, "close", true, "fairly-sure", false));
        assertThat(reviewTopic()).containsExactlyInAnyOrder("unsure", "close");
        assertThat(needsReviewCount()).isEqualTo(2);
    }

    @Test
    void shouldFlagCloseCallsByTheMarginBetweenTheTwoMostLikelyLabels() {
        start(new ReviewPolicy(OptionalDouble.empty(), OptionalDouble.of(0.25)), Optional.of(REVIEW));

        assertThat(flags()).containsExactlyInAnyOrderEntriesOf(
                Map.of("sure", false, "unsure", true, "close", true, "fairly-sure", true));
        assertThat(reviewTopic()).containsExactlyInAnyOrder("unsure", "close", "fairly-sure");
    }

    @Test
    void shouldFlagWhenEitherThresholdIsMissed() {
        start(new ReviewPolicy(OptionalDouble.of(0.45), OptionalDouble.of(0.05)), Optional.of(REVIEW));

        // unsure: confidence 0.40 < 0.45; close: margin 0.02 < 0.05; fairly-sure passes both.
        assertThat(flags()).containsExactlyInAnyOrderEntriesOf(
                Map.of("sure", false, "unsure", true, "close", true, "fairly-sure", false));
    }

    @Test
    void shouldOnlyFlagWithoutAReviewTopic() {
        start(new ReviewPolicy(OptionalDouble.of(0.5), OptionalDouble.empty()), Optional.empty());

        assertThat(flags()).containsEntry("unsure", true).containsEntry("sure", false);
        assertThat(driver.producedTopicNames()).doesNotContain(REVIEW);
    }

    @Test
    void shouldFlagNothingWhenRoutingIsOff() {
        start(ReviewPolicy.OFF, Optional.empty());

        assertThat(flags().values()).containsOnly(false);
        assertThat(needsReviewCount()).isZero();
    }

    @Test
    void shouldRefuseAReviewTopicWithoutThresholdsAndThresholdsOutsideZeroToOne() {
        assertThatThrownBy(() -> new TopologySettings(RAW, LABELED, "dl", 4, Duration.ofMillis(100), 1, 1, 1,
                BufferStoreKind.IN_MEMORY, ReviewPolicy.OFF, Optional.of(REVIEW)))
                .hasMessageContaining("news.topics.review is set");
        assertThatThrownBy(() -> new ReviewPolicy(OptionalDouble.of(1.5), OptionalDouble.empty()))
                .hasMessageContaining("min-confidence must be within [0, 1]");
    }
}
