package dev.newsclassifier.service;

import dev.newsclassifier.inference.Classifier;
import dev.newsclassifier.inference.ConstantClassifier;
import dev.newsclassifier.feedback.FeedbackJoin;
import dev.newsclassifier.feedback.FeedbackMetrics;
import dev.newsclassifier.inference.DelayedClassifier;
import dev.newsclassifier.inference.FailingClassifier;
import dev.newsclassifier.inference.ModelSlot;
import dev.newsclassifier.inference.SwappableClassifier;
import dev.newsclassifier.registry.SchemaRegistryClient;
import dev.newsclassifier.topology.ExplainPolicy;
import dev.newsclassifier.topology.InferenceHealth;
import dev.newsclassifier.topology.NewsClassifierTopology;
import dev.newsclassifier.topology.PipelineMetrics;
import dev.newsclassifier.topology.ReviewPolicy;
import dev.newsclassifier.topology.TopologySettings;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import org.apache.kafka.streams.Topology;

/** Hands the topology to the Quarkus Kafka Streams extension, which runs it. */
@ApplicationScoped
public class TopologyProducer {

    /** What the topology's batches learn of the runtime, shared with {@link StreamsFailurePolicy}. */
    @Produces
    @Singleton
    InferenceHealth inferenceHealth() {
        return new InferenceHealth();
    }

    /** One topology per application: its meters, gauges included, must be registered once. */
    @Produces
    @Singleton
    Topology topology(NewsConfig config, SwappableClassifier classifier, ModelSlot shadow, SchemaRegistryClient registry,
            ArticleSerdes serdes, MeterRegistry meters, InferenceHealth health,
            Optional<FeedbackMetrics> feedbackMetrics) {
        TopologySettings settings = new TopologySettings(config.topics().raw(), config.topics().labeled(),
                config.topics().deadLetter(), config.batch().maxSize(), config.batch().maxDelay(),
                config.validation().maxTextChars(), config.validation().maxRecordBytes(),
                config.validation().maxDeadLetterPayloadBytes(), config.batch().store(), reviewPolicy(config),
                config.topics().review(), config.topics().shadow(), explainPolicy(config));
        Classifier serving = config.inference().constantModel() ? new ConstantClassifier(classifier.model()) : classifier;
        // Only fault tests set a delay or a poison marker; without them this is the serving model itself.
        Classifier inference = FailingClassifier.onMarker(
                DelayedClassifier.atLeast(serving, config.faults().inferenceDelay()), config.faults().poisonMarker());
        // Before the topology goes to Kafka Streams, which then joins the group: the replica takes partitions warm. The
        // serving model itself, without the fault injectors, so a fault test's slow inference does not slow the start.
        StartUpWarmUp.run(settings, serving, config.warmUp().articles());
        Optional<FeedbackJoin.Inputs> feedback = LiveFeedback.settings(config).map(feedbackSettings ->
                new FeedbackJoin.Inputs(feedbackSettings, serdes.feedbackDeserializer(config, registry),
                        feedbackMetrics.orElseThrow()));
        return NewsClassifierTopology.build(settings, serdes.decoder(config, registry),
                serdes.labeledSerde(config, registry), inference, shadow, feedback, new PipelineMetrics(meters), health);
    }

    private static ExplainPolicy explainPolicy(NewsConfig config) {
        NewsConfig.Explain.TopWords topWords = config.explain().topWords();
        ExplainPolicy.Mode mode;
        try {
            mode = ExplainPolicy.Mode.valueOf(topWords.mode().trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("news.explain.top-words.mode must be off, needs-review or all, got "
                    + topWords.mode(), e);
        }
        return new ExplainPolicy(mode, topWords.count(), topWords.maxWords());
    }

    private static ReviewPolicy reviewPolicy(NewsConfig config) {
        return new ReviewPolicy(optional(config.review().minConfidence()), optional(config.review().minMargin()));
    }

    private static OptionalDouble optional(Optional<Double> value) {
        return value.map(OptionalDouble::of).orElse(OptionalDouble.empty());
    }
}
