package dev.newsclassifier.service;

import dev.newsclassifier.inference.InferenceOptions;
import dev.newsclassifier.inference.ModelLoadException;
import dev.newsclassifier.inference.ModelSlot;
import dev.newsclassifier.inference.OnnxClassifier;
import dev.newsclassifier.inference.SwappableClassifier;
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
        return OnnxClassifier.load(Path.of(config.model().dir()), options(config));
    }

    /** The model the stream uses, which {@code /admin/model} can replace while it runs; starts as the one above. */
    @Produces
    @Singleton
    SwappableClassifier servingModel(OnnxClassifier startUpModel) {
        return new SwappableClassifier(startUpModel);
    }

    /** The shadow model's place: filled at start-up by {@code news.shadow.dir}, and at run time by {@code /admin/shadow}. */
    @Produces
    @Singleton
    ModelSlot shadowModel(NewsConfig config) {
        if (config.shadow().dir().isEmpty()) {
            return ModelSlot.empty();
        }
        Path dir = Path.of(config.shadow().dir().get());
        if (config.topics().shadow().isEmpty()) {
            throw new ModelLoadException(dir, "news.shadow.dir is set, but not news.topics.shadow: the shadow model's "
                    + "labels would go nowhere");
        }
        return new ModelSlot(OnnxClassifier.load(dir, options(config)));
    }

    /** How every model of this instance runs, the start-up model's and those swapped in. */
    static InferenceOptions options(NewsConfig config) {
        NewsConfig.Inference inference = config.inference();
        return new InferenceOptions(inference.device(), inference.cudaDeviceId(), inference.fallbackToCpu(),
                inference.intraOpThreads(), inference.chunkSize(), inference.concurrentChunks(),
                inference.allowSpinning());
    }

    void close(@Disposes SwappableClassifier classifier) {
        classifier.close();
    }

    void close(@Disposes ModelSlot shadow) {
        shadow.close();
    }

    void close(@Disposes OnnxClassifier classifier) {
        classifier.close();
    }
}
