package dev.newsclassifier.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.newsclassifier.avro.ArticleFeedback;
import dev.newsclassifier.avro.FeedbackJoinEvent;
import dev.newsclassifier.avro.Prediction;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The join's processor on its own, with stores as a restart or a moved task finds them restored from their
 * changelogs: the live figures come back from the window store, and a restored prediction still meets its true label.
 */
class FeedbackJoinProcessorTest {

    private static final List<String> LABELS = List.of("World", "Sports");
    private static final FeedbackSettings SETTINGS = new FeedbackSettings("news.feedback", 10, Duration.ofDays(1));
    private static final long NOW = Instant.parse("2026-12-07T08:00:00Z").toEpochMilli();

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final FeedbackMetrics metrics = new FeedbackMetrics(meters, () -> LABELS, SETTINGS.windowSize());
    private MockProcessorContext<Void, Void> context;
    private KeyValueStore<Long, FeedbackJoinEvent> window;
    private WindowStore<String, FeedbackJoinEvent> predictions;

    @BeforeEach
    void stores() {
        context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(NOW);
        predictions = Stores.windowStoreBuilder(Stores.inMemoryWindowStore(FeedbackJoinProcessor.PREDICTIONS,
                SETTINGS.retention(), Duration.ofMillis(1), false), Serdes.String(), FeedbackEventSerde.create())
                .withLoggingDisabled().build();
        KeyValueStore<String, FeedbackJoinEvent> waiting = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(FeedbackJoinProcessor.WAITING), Serdes.String(),
                FeedbackEventSerde.create()).withLoggingDisabled().build();
        window = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(FeedbackJoinProcessor.WINDOW),
                Serdes.Long(), FeedbackEventSerde.create()).withLoggingDisabled().build();
        for (var store : List.of(predictions, waiting, window)) {
            store.init(context.getStateStoreContext(), store);
            context.addStateStore(store);
        }
    }

    private static FeedbackJoinEvent judged(String id, String trueLabel, String predicted) {
        return FeedbackJoinEvent.newBuilder().setId(id).setPrediction(new Prediction(predicted, 0.8f, "1.0.0", NOW))
                .setFeedback(ArticleFeedback.newBuilder().setId(id).setLabel(trueLabel).setReportedAt(Instant.now())
                        .build()).setJudged(true).build();
    }

    @Test
    void shouldBringBackTheLiveFiguresFromARestoredWindow() {
        window.put(7L, judged("a", "World", "World"));
        window.put(8L, judged("b", "Sports", "World"));
        window.put(9L, judged("c", "Sports", "Sports"));

        new FeedbackJoinProcessor(SETTINGS, metrics, () -> LABELS).init(context);

        assertThat(meters.get("news.feedback.window.articles").gauge().value()).isEqualTo(3);
        assertThat(meters.get("news.feedback.window.accuracy").gauge().value()).isCloseTo(2 / 3.0,
                within(1e-9));
        assertThat(meters.find("news.feedback").tag("outcome", "matched").counter().count())
                .as("restoring counts nothing as new").isZero();
    }

    @Test
    void shouldJoinATrueLabelWithARestoredPredictionAndKeepTheWindowBound() {
        for (long sequence = 0; sequence < SETTINGS.windowSize(); sequence++) {
            window.put(sequence, judged("old-" + sequence, "World", "World"));
        }
        predictions.put("d", FeedbackJoinEvent.newBuilder().setId("d").setPrediction(new Prediction("Sports", 0.9f,
                "1.0.0", NOW - 1000)).build(), NOW - 1000);
        FeedbackJoinProcessor processor = new FeedbackJoinProcessor(SETTINGS, metrics, () -> LABELS);
        processor.init(context);

        processor.process(new Record<>("d", FeedbackJoinEvent.newBuilder().setId("d").setFeedback(ArticleFeedback
                .newBuilder().setId("d").setLabel("World").setReportedAt(Instant.now()).build()).build(), NOW));

        assertThat(meters.find("news.feedback").tag("outcome", "matched").counter().count()).isEqualTo(1);
        assertThat(meters.get("news.feedback.window.articles").gauge().value()).isEqualTo(SETTINGS.windowSize());
        assertThat(window.get(0L)).as("the oldest judged article left the window").isNull();
        assertThat(window.get((long) SETTINGS.windowSize())).isNotNull();
        assertThat(meters.get("news.feedback.window.confusion").tag("true_label", "World")
                .tag("predicted_label", "Sports").gauge().value()).isEqualTo(1);
    }
}
