package dev.newsclassifier.inference;

import java.util.List;
import java.util.function.Function;

/**
 * Labels a batch of texts. The topology depends on this interface alone, so it can be tested
 * with a stub; the service uses {@link OnnxClassifier}. Implementations are shared by all
 * stream threads and must be thread-safe.
 */
public interface Classifier {

    /** Classifies the texts, already cleaned by {@link TextRule}; one result per text, in order. */
    List<Classification> classify(List<String> texts);

    /** What the model is: name, version and labels, read from its {@code config.json}. */
    ModelConfig model();

    /**
     * Runs the work of one batch, retries and splits included, on one model: a classifier whose model can be
     * replaced ({@link SwappableClassifier}) keeps the replacement waiting until the work is done, so no batch is
     * labeled by two models and its articles name the model that labeled them.
     */
    default <T> T withOneModel(Function<Classifier, T> batch) {
        return batch.apply(this);
    }
}
