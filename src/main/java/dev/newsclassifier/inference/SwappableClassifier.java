package dev.newsclassifier.inference;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A classifier whose model can be replaced while the stream runs ({@link ModelSlot} says how): every batch runs on
 * one model, and a swap closes the old model once no batch uses it.
 */
public final class SwappableClassifier implements Classifier, AutoCloseable {

    private final ModelSlot slot;

    public SwappableClassifier(Classifier initial) {
        this.slot = new ModelSlot(Objects.requireNonNull(initial, "initial model"));
    }

    @Override
    public List<Classification> classify(List<String> texts) {
        return withOneModel(model -> model.classify(texts));
    }

    @Override
    public ModelConfig model() {
        return slot.model().orElseThrow();
    }

    @Override
    public <T> T withOneModel(Function<Classifier, T> batch) {
        return slot.withModel(batch).orElseThrow();
    }

    /** Makes {@code next} the model of every batch that starts from now on; returns what the replaced model was. */
    public ModelConfig swap(Classifier next) {
        return slot.replace(Objects.requireNonNull(next, "next model")).orElseThrow();
    }

    @Override
    public void close() {
        slot.close();
    }
}
