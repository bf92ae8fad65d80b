package dev.newsclassifier.service;

import dev.newsclassifier.inference.OnnxClassifier;
import dev.newsclassifier.inference.SwappableClassifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready means articles are being classified: the model is loaded, the schema registry has
 * answered once, and the stream is RUNNING (not merely rebalancing). A model that fails to load stops start-up altogether, so a pod
 * with a broken model never turns ready.
 */
@Readiness
@ApplicationScoped
public class ServiceReadinessCheck implements HealthCheck {

    @Inject
    KafkaStreams streams;

    @Inject
    OnnxClassifier startUpModel;

    @Inject
    SwappableClassifier classifier;

    @Inject
    RegistryWarmUp registry;

    @Override
    public HealthCheckResponse call() {
        KafkaStreams.State state = streams.state();
        return HealthCheckResponse.named("news classifier")
                .status(state == KafkaStreams.State.RUNNING && registry.reached())
                .withData("streams", state.name())
                .withData("schema registry", registry.reached() ? "reached" : "unreachable")
                .withData("model", classifier.model().name() + " " + classifier.model().version())
                .withData("device", startUpModel.device().name())
                .build();
    }
}
