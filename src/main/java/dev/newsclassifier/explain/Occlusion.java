package dev.newsclassifier.explain;

import dev.newsclassifier.inference.Classification;
import dev.newsclassifier.inference.Classifier;
import java.util.ArrayList;
import java.util.List;

/**
 * Weighs each word of a text by occlusion: the text is classified once whole and once without each word, all in one
 * call to the classifier, and a word's weight is how much the top label's probability drops without it. Model
 * agnostic and exact for what it measures (the model itself is asked), at the cost of one extra text per word.
 */
public final class Occlusion {

    private final Classifier classifier;
    private final int maxWords;

    /**
     * @param maxWords words weighed at most per text: each costs one more text to classify; later words stay in every
     *        variant
     */
    public Occlusion(Classifier classifier, int maxWords) {
        if (maxWords < 1) {
            throw new IllegalArgumentException("maxWords must be at least 1, got " + maxWords);
        }
        this.classifier = classifier;
        this.maxWords = maxWords;
    }

    /** Explains the model's label of {@code text}, words separated by single spaces as the text rule leaves them. */
    public Explanation explain(String text) {
        List<String> words = text.isBlank() ? List.of() : List.of(text.strip().split(" +"));
        int weighed = Math.min(words.size(), maxWords);
        List<String> inputs = new ArrayList<>(weighed + 1);
        inputs.add(text);
        for (int left = 0; left < weighed; left++) {
            inputs.add(without(words, left));
        }
        List<Classification> results = classifier.classify(inputs);
        Classification whole = results.get(0);
        int top = whole.labelIndex();
        float probability = whole.probabilities()[top];
        List<WordWeight> weights = new ArrayList<>(weighed);
        for (int i = 0; i < weighed; i++) {
            weights.add(new WordWeight(i, words.get(i), probability - results.get(i + 1).probabilities()[top]));
        }
        return new Explanation(text, whole, weights, words.size() - weighed, inputs.size());
    }

    private static String without(List<String> words, int left) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < words.size(); i++) {
            if (i != left) {
                if (!text.isEmpty()) {
                    text.append(' ');
                }
                text.append(words.get(i));
            }
        }
        return text.toString();
    }
}
