package dev.newsclassifier.service;

import dev.newsclassifier.inference.Classifier;
import dev.newsclassifier.inference.InferenceOptions;
import dev.newsclassifier.inference.OnnxClassifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;

/** Opens the model once per application; every stream thread shares the session. */
@ApplicationScoped
public class ClassifierProducer {

    @Produces
    @Singleton
    OnnxClassifier classifier(NewsConfig config) {
        NewsConfig.Inference inference = config.inference();
        return OnnxClassifier.load(Path.of(config.model().dir()), new InferenceOptions(inference.device(),
                inference.cudaDeviceId(), inference.fallbackToCpu(), inference.intraOpThreads(), inference.chunkSize(),
                inference.concurrentChunks(), inference.allowSpinning()));
    }

    void close(@Disposes OnnxClassifier classifier) {
        classifier.close();
    }
}
