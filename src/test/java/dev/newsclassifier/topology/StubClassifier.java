package dev.newsclassifier.topology;

import dev.newsclassifier.inference.Classification;
import dev.newsclassifier.inference.Classifier;
import dev.newsclassifier.inference.ModelConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * A classifier with fixed, predictable scores: a text mentioning a label's name (case
 * insensitive) gets probability 0.7 for that label, 0.1 for each other; anything else is the
 * first label. Records every batch it was given.
 */
final class StubClassifier implements Classifier {

    static final ModelConfig MODEL = new ModelConfig("stub-model", "0.0.1",
            List.of("World", "Sports", "Business", "Sci/Tech"), 128, "agnews-text-v1");

    final List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());

    @Override
    public List<Classification> classify(List<String> texts) {
        batches.add(List.copyOf(texts));
        return texts.stream().map(StubClassifier::score).toList();
    }

    private static Classification score(String text) {
        int index = 0;
        for (int i = 0; i < MODEL.numLabels(); i++) {
            if (text.toLowerCase(Locale.ROOT).contains(MODEL.label(i).toLowerCase(Locale.ROOT))) {
                index = i;
            }
        }
        float[] probabilities = {0.1f, 0.1f, 0.1f, 0.1f};
        probabilities[index] = 0.7f;
        return new Classification(index, probabilities, text.contains("[long]"));
    }

    @Override
    public ModelConfig model() {
        return MODEL;
    }
}
