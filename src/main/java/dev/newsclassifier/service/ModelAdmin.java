package dev.newsclassifier.service;

import dev.newsclassifier.feedback.FeedbackMetrics;
import dev.newsclassifier.inference.ModelSlot;
import dev.newsclassifier.inference.SwappableClassifier;
import dev.newsclassifier.modelops.ModelAdminRoutes;
import dev.newsclassifier.modelops.ModelMetrics;
import dev.newsclassifier.modelops.ModelSwapper;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.Optional;

/** Wires model swaps and the shadow model into the service: the swapper, and its routes on the HTTP port. */
@ApplicationScoped
public class ModelAdmin {

    @Produces
    @Singleton
    ModelSwapper swapper(NewsConfig config, SwappableClassifier serving, ModelSlot shadow, ModelMetrics metrics,
            Optional<FeedbackMetrics> feedback) {
        Path startUpDir = Path.of(config.model().dir()).toAbsolutePath().normalize();
        Path root = config.model().root().map(Path::of).orElse(startUpDir.getParent());
        ModelSwapper swapper = new ModelSwapper(root, startUpDir, ClassifierProducer.options(config), serving, shadow,
                config.topics().shadow().isPresent(), metrics);
        // Drift is measured against the test set of the model that serves.
        feedback.ifPresent(live -> swapper.onSwap(live::referenceFrom));
        return swapper;
    }

    void routes(@Observes Router router, ModelSwapper swapper, NewsConfig config) {
        new ModelAdminRoutes(swapper, config.admin().token()).register(router);
    }
}
