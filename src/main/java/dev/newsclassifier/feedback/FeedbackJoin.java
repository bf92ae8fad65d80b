package dev.newsclassifier.feedback;

import dev.newsclassifier.avro.ArticleFeedback;
import dev.newsclassifier.avro.ClassifiedArticle;
import dev.newsclassifier.avro.FeedbackJoinEvent;
import dev.newsclassifier.avro.Prediction;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowBytesStoreSupplier;
import org.jboss.logging.Logger;

/**
 * Adds the feedback join to the service's topology:
 *
 * <pre>
 * labeled articles ── prediction ──┐
 *                                  ├─ merge ─ repartition by id ─ feedback-join [predictions, waiting, window]
 * feedback topic (bytes) ─ decode ─┘
 * </pre>
 *
 * Both sides are repartitioned together through one internal topic keyed by article id, so a prediction and its true
 * label meet in the same task whatever the keys and partition counts of the raw and feedback topics.
 */
public final class FeedbackJoin {

    private static final Logger LOG = Logger.getLogger(FeedbackJoin.class);

    private FeedbackJoin() {
    }

    /** What the join needs besides the labeled stream: its settings, how to read a feedback record, its metrics. */
    public record Inputs(FeedbackSettings settings, Deserializer<ArticleFeedback> decoder, FeedbackMetrics metrics) {
    }

    /**
     * @param labeled the labeled articles, as they go to the labeled topic
     * @param labels the serving model's labels; a true label outside them is ignored
     * @param persistent RocksDB stores, or in-memory ones; both changelogged
     */
    public static void add(StreamsBuilder builder, KStream<String, ClassifiedArticle> labeled, Inputs inputs,
            Supplier<List<String>> labels, boolean persistent) {
        FeedbackSettings settings = inputs.settings();
        FeedbackMetrics metrics = inputs.metrics();
        Serde<FeedbackJoinEvent> events = FeedbackEventSerde.create();
        builder.addStateStore(Stores.windowStoreBuilder(
                predictionStore(settings.retention(), persistent), Serdes.String(), events));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                keyValueStore(FeedbackJoinProcessor.WAITING, persistent), Serdes.String(), events));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                keyValueStore(FeedbackJoinProcessor.WINDOW, persistent), Serdes.Long(), events));

        KStream<String, FeedbackJoinEvent> predictions = labeled.map((key, article) -> KeyValue.pair(article.getId(),
                FeedbackJoinEvent.newBuilder().setId(article.getId()).setPrediction(new Prediction(article.getLabel(),
                        article.getConfidence(), article.getModelVersion(), article.getClassifiedAt().toEpochMilli()))
                        .build()), Named.as("feedback-prediction"));
        KStream<String, FeedbackJoinEvent> trueLabels = builder
                .stream(settings.topic(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("feedback"))
                .processValues(() -> new Decode(settings.topic(), inputs.decoder(), metrics), Named.as("feedback-decode"))
                .filter((key, event) -> event != null, Named.as("feedback-readable"))
                .map((key, event) -> KeyValue.pair(event.getId(), event), Named.as("feedback-by-id"));
        predictions.merge(trueLabels, Named.as("feedback-merge"))
                .repartition(Repartitioned.with(Serdes.String(), events).withName("feedback-join"))
                .process(() -> new FeedbackJoinProcessor(settings, metrics, labels), Named.as("feedback-join"),
                        FeedbackJoinProcessor.PREDICTIONS, FeedbackJoinProcessor.WAITING, FeedbackJoinProcessor.WINDOW);
    }

    private static WindowBytesStoreSupplier predictionStore(Duration retention, boolean persistent) {
        // A window of 1 ms per prediction: the store is a map from id to prediction that forgets after the retention.
        Duration windowSize = Duration.ofMillis(1);
        return persistent
                ? Stores.persistentWindowStore(FeedbackJoinProcessor.PREDICTIONS,
                        retention, windowSize, false)
                : Stores.inMemoryWindowStore(FeedbackJoinProcessor.PREDICTIONS,
                        retention, windowSize, false);
    }

    private static KeyValueBytesStoreSupplier keyValueStore(String name, boolean persistent) {
        return persistent ? Stores.persistentKeyValueStore(name)
                : Stores.inMemoryKeyValueStore(name);
    }

    /** Reads a feedback record; one that is not readable is counted and skipped, never stops the stream. */
    private static final class Decode implements FixedKeyProcessor<byte[], byte[], FeedbackJoinEvent> {
        private final String topic;
        private final Deserializer<ArticleFeedback> decoder;
        private final FeedbackMetrics metrics;
        private FixedKeyProcessorContext<byte[], FeedbackJoinEvent> context;

        Decode(String topic, Deserializer<ArticleFeedback> decoder, FeedbackMetrics metrics) {
            this.topic = topic;
            this.decoder = decoder;
            this.metrics = metrics;
        }

        @Override
        public void init(FixedKeyProcessorContext<byte[], FeedbackJoinEvent> context) {
            this.context = context;
        }

        @Override
        public void process(FixedKeyRecord<byte[], byte[]> record) {
            FeedbackJoinEvent event = null;
            try {
                ArticleFeedback feedback = record.value() == null ? null : decoder.deserialize(topic, record.value());
                if (feedback != null) {
                    event = FeedbackJoinEvent.newBuilder().setId(feedback.getId()).setFeedback(feedback).build();
                }
            } catch (RuntimeException e) {
                LOG.warnf("Skipping an unreadable record of %s: %s", topic, e.getMessage());
            }
            if (event == null) {
                metrics.outcome(FeedbackMetrics.Outcome.UNDECODABLE);
            }
            context.forward(record.withValue(event));
        }
    }
}
