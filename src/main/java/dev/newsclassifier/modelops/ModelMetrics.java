package dev.newsclassifier.modelops;

import dev.newsclassifier.inference.InferenceOptions;
import dev.newsclassifier.inference.ModelConfig;
import dev.newsclassifier.inference.ModelSlot;
import dev.newsclassifier.inference.OnnxClassifier;
import dev.newsclassifier.inference.SwappableClassifier;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Locale;

/**
 * Publishes which model is serving as {@code news_model_info{name,version,device,labels} 1}, one series at a time,
 * the shadow model, when one runs, as {@code news_shadow_model_info{name,version} 1}, and counts model swaps as
 * {@code news_model_swaps_total{outcome="swapped"|"refused"}} (a refused shadow start counts as refused).
 */
@ApplicationScoped
public class ModelMetrics {

    @Inject
    MeterRegistry registry;

    private InferenceOptions.Device device;
    private Gauge info;
    private Gauge shadowInfo;

    void register(@Observes StartupEvent started, OnnxClassifier startUpModel, SwappableClassifier serving,
            ModelSlot shadow) {
        register(startUpModel.device(), serving);
        shadow.model().ifPresent(this::shadowStarted);
    }

    void register(InferenceOptions.Device device, SwappableClassifier serving) {
        this.device = device;
        serving(serving.model());
        swaps("swapped");
        swaps("refused");
    }

    /** Replaces the info series with this model's. */
    synchronized void serving(ModelConfig model) {
        if (info != null) {
            registry.remove(info);
        }
        info = Gauge.builder("news.model.info", () -> 1)
                .description("The model serving classifications")
                .tag("name", model.name())
                .tag("version", model.version())
                .tag("device", device.name().toLowerCase(Locale.ROOT))
                .tag("labels", String.join(",", model.labels()))
                .register(registry);
    }

    public void swapped(ModelConfig model) {
        serving(model);
        swaps("swapped").increment();
    }

    /** Publishes {@code news_shadow_model_info{name,version} 1} for the shadow model that runs now. */
    public synchronized void shadowStarted(ModelConfig model) {
        shadowStopped();
        shadowInfo = Gauge.builder("news.shadow.model.info", () -> 1)
                .description("The shadow model classifying the same batches after the primary")
                .tag("name", model.name())
                .tag("version", model.version())
                .register(registry);
    }

    public synchronized void shadowStopped() {
        if (shadowInfo != null) {
            registry.remove(shadowInfo);
            shadowInfo = null;
        }
    }

    public void refused() {
        swaps("refused").increment();
    }

    private Counter swaps(String outcome) {
        return Counter.builder("news.model.swaps")
                .description("Model swaps and shadow starts asked for at /admin, by outcome")
                .tag("outcome", outcome).register(registry);
    }
}
