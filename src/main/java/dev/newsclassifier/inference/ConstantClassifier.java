package dev.newsclassifier.inference;

import java.util.List;

/**
 * Gives every text the model's first label, certain, without running anything: what the pipeline costs with the model
 * taken out, its ceiling (as if inference were free, e.g. on a GPU much faster than the CPU around it). For the
 * benchmark's {@code --model constant} only ({@code news.inference.constant-model}); it labels nothing correctly.
 */
public final class ConstantClassifier implements Classifier {

    private final ModelConfig model;
    private final Classification first;

    public ConstantClassifier(ModelConfig model) {
        this.model = model;
        float[] probabilities = new float[model.numLabels()];
        probabilities[0] = 1f;
        this.first = new Classification(0, probabilities, false);
    }

    @Override
    public List<Classification> classify(List<String> texts) {
        return texts.stream().map(text -> first).toList();
    }

    @Override
    public ModelConfig model() {
        return model;
    }
}
