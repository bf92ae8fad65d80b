package dev.newsclassifier.service;

import dev.newsclassifier.feedback.FeedbackMetrics;
import dev.newsclassifier.feedback.FeedbackSettings;
import dev.newsclassifier.inference.SwappableClassifier;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.Optional;

/** The feedback join's settings and metrics, when {@code news.topics.feedback} is set. */
@ApplicationScoped
public class LiveFeedback {

    /** Present only with a feedback topic; its drift reference follows the serving model (see {@link ModelAdmin}). */
    @Produces
    @Singleton
    Optional<FeedbackMetrics> metrics(NewsConfig config, MeterRegistry registry, SwappableClassifier serving) {
        return settings(config).map(settings -> {
            FeedbackMetrics metrics = new FeedbackMetrics(registry, () -> serving.model().labels(),
                    settings.windowSize());
            metrics.referenceFrom(Path.of(config.model().dir()));
            return metrics;
        });
    }

    static Optional<FeedbackSettings> settings(NewsConfig config) {
        return config.topics().feedback().map(topic -> new FeedbackSettings(topic, config.feedback().windowSize(),
                config.feedback().retention()));
    }
}
