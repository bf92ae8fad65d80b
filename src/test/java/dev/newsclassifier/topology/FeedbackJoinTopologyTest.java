package dev.newsclassifier.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.newsclassifier.avro.ArticleFeedback;
import dev.newsclassifier.avro.ClassifiedArticle;
import dev.newsclassifier.avro.NewsArticle;
import dev.newsclassifier.feedback.FeedbackJoin;
import dev.newsclassifier.feedback.FeedbackMetrics;
import dev.newsclassifier.feedback.FeedbackSettings;
import dev.newsclassifier.inference.ModelSlot;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The feedback join: true labels, early or late, joined with the service's own labels into live figures; unknown
 * ids, duplicates, unknown labels and unreadable records each have their outcome and never stop the stream.
 */
class FeedbackJoinTopologyTest {

    private static final String RAW = "news.raw";
    private static final String LABELED = "news.labeled";
    private static final String FEEDBACK = "news.feedback";
    private static final Instant START = Instant.parse("2026-12-07T08:00:00Z");
    private static final Duration RETENTION = Duration.ofHours(1);
    private static final int WINDOW = 3;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final StubClassifier classifier = new StubClassifier();
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> raw;
    private TestInputTopic<byte[], byte[]> feedback;

    @BeforeEach
    void start() {
        TopologySettings settings = new TopologySettings(RAW, LABELED, "news.dead-letter", 1, Duration.ofSeconds(10),
                1_000, 100_000, 100_000, BufferStoreKind.IN_MEMORY, ReviewPolicy.OFF, Optional.empty());
        FeedbackMetrics metrics = new FeedbackMetrics(meters, () -> StubClassifier.MODEL.labels(), WINDOW);
        FeedbackJoin.Inputs inputs = new FeedbackJoin.Inputs(new FeedbackSettings(FEEDBACK, WINDOW, RETENTION),
                PlainAvroCodec.serde(ArticleFeedback.class).deserializer(), metrics);
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "feedback-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(NewsClassifierTopology.build(settings, PlainAvroCodec.articleDecoder(),
                PlainAvroCodec.serde(ClassifiedArticle.class), classifier, ModelSlot.empty(), Optional.of(inputs),
                new PipelineMetrics(meters), new InferenceHealth()), config, START);
        raw = driver.createInputTopic(RAW, Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
        feedback = driver.createInputTopic(FEEDBACK, Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
    }

    @AfterEach
    void close() {
        driver.close();
    }

    /** Publishes an article the stub labels Sports when its title says so, World otherwise. */
    private void article(String id, String title) {
        NewsArticle article = NewsArticle.newBuilder().setId(id).setTitle(title).setDescription("text").build();
        raw.pipeInput(id.getBytes(StandardCharsets.UTF_8), PlainAvroCodec.encode(article), START);
    }

    private void trueLabel(String id, String label) {
        ArticleFeedback value = ArticleFeedback.newBuilder().setId(id).setLabel(label).setSource("editor")
                .setReportedAt(START).build();
        feedback.pipeInput(id.getBytes(StandardCharsets.UTF_8), PlainAvroCodec.encode(value), START);
    }

    private double outcome(String outcome) {
        return meters.get("news.feedback").tag("outcome", outcome).counter().count();
    }

    private double gauge(String name) {
        return meters.get(name).gauge().value();
    }

    private double confusion(String trueLabel, String predicted) {
        return meters.get("news.feedback.window.confusion").tag("true_label", trueLabel)
                .tag("predicted_label", predicted).gauge().value();
    }

    @Test
    void shouldJoinATrueLabelThatComesAfterItsPredictionIntoTheLiveFigures() {
        article("a", "Sports final");
        article("b", "Markets fall");

        trueLabel("a", "Sports");
        trueLabel("b", "Business");

        assertThat(outcome("matched")).isEqualTo(2);
        assertThat(gauge("news.feedback.window.articles")).isEqualTo(2);
        assertThat(gauge("news.feedback.window.accuracy")).isEqualTo(0.5);
        assertThat(confusion("Sports", "Sports")).isEqualTo(1);
        assertThat(confusion("Business", "World")).isEqualTo(1);
        assertThat(meters.get("news.feedback.window.recall").tag("label", "Sports").gauge().value()).isEqualTo(1.0);
        assertThat(gauge("news.feedback.window.mean-confidence")).isCloseTo(0.7, within(1e-6));
    }

    @Test
    void shouldHoldATrueLabelThatComesFirstUntilItsPredictionArrives() {
        trueLabel("early", "Sports");
        assertThat(outcome("waiting")).isEqualTo(1);
        assertThat(gauge("news.feedback.window.articles")).isZero();

        article("early", "Sports final");

        assertThat(outcome("matched")).isEqualTo(1);
        assertThat(gauge("news.feedback.window.accuracy")).isEqualTo(1.0);
    }

    @Test
    void shouldCountADuplicateTrueLabelOnce() {
        article("a", "Sports final");
        trueLabel("a", "Sports");
        trueLabel("a", "World");
        trueLabel("early", "World");
        trueLabel("early", "World");

        assertThat(outcome("matched")).isEqualTo(1);
        assertThat(outcome("duplicate")).isEqualTo(2);
        assertThat(gauge("news.feedback.window.articles")).isEqualTo(1);
        assertThat(gauge("news.feedback.window.accuracy")).isEqualTo(1.0);
    }

    @Test
    void shouldIgnoreALabelTheModelDoesNotKnowAndAnUnreadableRecordAndGoOn() {
        article("a", "Sports final");
        trueLabel("a", "Weather");
        feedback.pipeInput("b".getBytes(StandardCharsets.UTF_8), "not avro".getBytes(StandardCharsets.UTF_8), START);
        trueLabel("a", "Sports");

        assertThat(outcome("unknown_label")).isEqualTo(1);
        assertThat(outcome("undecodable")).isEqualTo(1);
        assertThat(outcome("matched")).isEqualTo(1);
    }

    @Test
    void shouldDropATrueLabelWhosePredictionNeverComesWithinTheRetention() {
        trueLabel("never-published", "World");

        driver.advanceWallClockTime(RETENTION.plusMinutes(2));

        assertThat(outcome("unknown_id")).isEqualTo(1);
        article("never-published", "World news");
        assertThat(outcome("matched")).isZero();
    }

    @Test
    void shouldKeepTheLiveFiguresToTheLastJudgedArticlesOfTheWindow() {
        article("a", "Sports one");
        article("b", "Sports two");
        article("c", "Sports three");
        article("d", "Sports four");
        trueLabel("a", "World");
        trueLabel("b", "Sports");
        trueLabel("c", "Sports");
        trueLabel("d", "Sports");

        assertThat(gauge("news.feedback.window.articles")).isEqualTo(WINDOW);
        assertThat(gauge("news.feedback.window.accuracy")).isEqualTo(1.0);
        assertThat(confusion("World", "Sports")).isZero();
        assertThat(meters.get("news.feedback.judged").tag("true_label", "World").tag("predicted_label", "Sports")
                .counter().count()).isEqualTo(1);
    }

    @Test
    void shouldMeasureHowRecentLabelsDriftFromTheReference() {
        article("a", "Sports one");
        article("b", "Sports two");

        assertThat(meters.get("news.drift.label.share").tag("label", "Sports").tag("of", "recent").gauge().value())
                .isEqualTo(1.0);
        assertThat(gauge("news.drift.recent.mean-confidence")).isCloseTo(0.7, within(1e-6));
        // The stub's folder has no test figures: no reference, no index.
        assertThat(gauge("news.drift.label.psi")).isNaN();
    }
}
