package dev.newsclassifier.service;

import dev.newsclassifier.inference.OnnxClassifier;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** Publishes which model is serving as {@code news_model_info{name,version,device} 1}. */
@ApplicationScoped
public class ModelMetrics {

    void register(@Observes StartupEvent started, MeterRegistry registry, OnnxClassifier classifier) {
        Gauge.builder("news.model.info", () -> 1)
                .description("The model serving classifications")
                .tag("name", classifier.model().name())
                .tag("version", classifier.model().version())
                .tag("device", classifier.device().name().toLowerCase(java.util.Locale.ROOT))
                .tag("labels", String.join(",", classifier.model().labels()))
                .register(registry);
    }
}
