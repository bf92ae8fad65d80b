package dev.newsclassifier.topology;

import dev.newsclassifier.avro.ClassifiedArticle;
import dev.newsclassifier.feedback.FeedbackJoin;
import dev.newsclassifier.inference.Classifier;
import dev.newsclassifier.inference.ModelSlot;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds the service's only topology:
 *
 * <pre>
 * raw topic (bytes) ─ decode-and-validate ─┬─ rejected ─ dead-letter topic (original bytes + reason headers)
 *                                          └─ accepted ─ micro-batch [buffer store] ─┬─ labeled ─ review check ─┬─ labeled topic (ClassifiedArticle)
 *                                                                                    │                          └─ needs review: review topic (a copy)
 *                                                                                    ├─ poison ── dead-letter topic (INFERENCE_FAILED)
 *                                                                                    └─ shadow ── shadow topic (the shadow model's labels, when one runs)
 * </pre>
 *
 * With a feedback topic, the labeled articles also feed the feedback join ({@link FeedbackJoin}).
 *
 * Input is consumed as bytes so that the decode step, not the deserializer, decides what a bad
 * record becomes.
 */
public final class NewsClassifierTopology {

    /** The micro-batch buffer; its changelog topic is {@code <application.id>-classification-batch-changelog}. */
    public static final String BATCH_STORE = "classification-batch";

    private NewsClassifierTopology() {
    }

    /** The topology without a shadow model. */
    public static Topology build(TopologySettings settings, ArticleDecoder decoder, Serde<ClassifiedArticle> labeledSerde,
            Classifier classifier, PipelineMetrics metrics, InferenceHealth health) {
        return build(settings, decoder, labeledSerde, classifier, ModelSlot.empty(), Optional.empty(), metrics, health);
    }

    /**
     * @param shadow the shadow model, or none, which can change while the topology runs; its labels go to the
     *     shadow topic, so it stays empty without one
     * @param feedback the feedback join, when a feedback topic is set
     * @param health shared by every task of the application, and with the failure policy, which reads it
     */
    public static Topology build(TopologySettings settings, ArticleDecoder decoder, Serde<ClassifiedArticle> labeledSerde,
            Classifier classifier, ModelSlot shadow, Optional<FeedbackJoin.Inputs> feedback, PipelineMetrics metrics,
            InferenceHealth health) {
        StreamsBuilder builder = new StreamsBuilder();
        // An article classified within a commit interval of its arrival (most are, under dynamic batching) never
        // reaches the store below nor its changelog; what is still buffered at a commit is written before the offsets
        // are committed (DeferredWriteStore).
        builder.addStateStore(DeferredWriteStore.builder(Stores.keyValueStoreBuilder(bufferStore(settings.bufferStore()),
                Serdes.Long(), BufferedArticleSerde.create())));

        ArticleIntake intake = new ArticleIntake(decoder, settings.maxTextChars(), settings.maxRecordBytes());
        KStream<byte[], IntakeResult> admitted = builder
                .stream(settings.rawTopic(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("raw-articles"))
                .process(() -> new IntakeProcessor(intake, metrics, settings.maxDeadLetterPayloadBytes()),
                        Named.as("decode-and-validate"));

        Map<String, KStream<byte[], IntakeResult>> routes = admitted.split(Named.as("intake-"))
                .branch((key, result) -> result.isRejected(), Branched.as("rejected"))
                .defaultBranch(Branched.as("accepted"));

        routes.get("intake-rejected")
                .mapValues(IntakeResult::value, Named.as("original-bytes"))
                .to(settings.deadLetterTopic(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("dead-letters"));

        BatchInference inference = new BatchInference(classifier, metrics, health, settings.explain(), settings.review());
        ShadowInference shadowInference = new ShadowInference(
                settings.shadowTopic().isPresent() ? shadow : ModelSlot.empty(), metrics);
        ThreadBatchers batchers = new ThreadBatchers(() -> new ThreadBatcher(inference, shadowInference, metrics,
                settings.batchMaxSize(), settings.batchMaxDelay().toMillis()));
        Map<String, KStream<String, BatchResult>> outcomes = routes.get("intake-accepted")
                .process(() -> new MicroBatchProcessor(BATCH_STORE, batchers, metrics, settings.maxDeadLetterPayloadBytes()),
                        Named.as("micro-batch"), BATCH_STORE)
                .split(Named.as("batch-"))
                .branch((id, result) -> result.isDeadLetter(), Branched.as("poison"))
                .branch((id, result) -> result.shadow(), Branched.as("shadow"))
                .defaultBranch(Branched.as("labeled"));

        ReviewPolicy review = settings.review();
        KStream<String, ClassifiedArticle> classified = outcomes.get("batch-labeled")
                .mapValues(BatchResult::labeled, Named.as("labeled-article"));
        KStream<String, ClassifiedArticle> labeled = !review.isOn() ? classified
                : classified.mapValues(article -> markForReview(article, review, metrics), Named.as("review-check"));
        labeled.to(settings.labeledTopic(), Produced.with(Serdes.String(), labeledSerde).withName("labeled-articles"));
        settings.reviewTopic().ifPresent(topic -> labeled
                .filter((id, article) -> article.getNeedsReview(), Named.as("needs-review"))
                .to(topic, Produced.with(Serdes.String(), labeledSerde).withName("review-articles")));

        feedback.ifPresent(inputs -> FeedbackJoin.add(builder, labeled, inputs, () -> classifier.model().labels(),
                settings.bufferStore() == BufferStoreKind.PERSISTENT));
        settings.shadowTopic().ifPresent(topic -> outcomes.get("batch-shadow")
                .mapValues(BatchResult::labeled, Named.as("shadow-article"))
                .to(topic, Produced.with(Serdes.String(), labeledSerde).withName("shadow-articles")));

        // Keyed by the input record's key, like every dead letter; a key change before a sink needs no repartition.
        outcomes.get("batch-poison")
                .map((id, result) -> KeyValue.pair(result.deadLetterKey(), result.deadLetterValue()),
                        Named.as("poison-original-record"))
                .to(settings.deadLetterTopic(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray())
                        .withName("poison-dead-letters"));

        return builder.build();
    }

    private static ClassifiedArticle markForReview(ClassifiedArticle article, ReviewPolicy review,
            PipelineMetrics metrics) {
        if (!review.needsReview(article)) {
            return article;
        }
        metrics.articleNeedsReview();
        return ClassifiedArticle.newBuilder(article).setNeedsReview(true).build();
    }

    private static KeyValueBytesStoreSupplier bufferStore(BufferStoreKind kind) {
        return switch (kind) {
            case PERSISTENT -> Stores.persistentKeyValueStore(BATCH_STORE);
            case IN_MEMORY -> Stores.inMemoryKeyValueStore(BATCH_STORE);
        };
    }
}
