package dev.newsclassifier.explain;

import dev.newsclassifier.inference.Classification;
import java.util.Comparator;
import java.util.List;

/**
 * A label and the words that decided it.
 *
 * @param text the model's input (the text rule applied), whose words are weighed
 * @param classification what the model said of the whole text
 * @param words every weighed word, in text order
 * @param unweighedWords words past the explainer's limit, left in every variant and not weighed
 * @param variants texts the model classified for this explanation, the whole text included
 */
public record Explanation(String text, Classification classification, List<WordWeight> words, int unweighedWords,
        int variants) {

    public Explanation {
        words = List.copyOf(words);
    }

    /** The {@code count} words that argued most for the label, strongest first. */
    public List<WordWeight> strongest(int count) {
        return words.stream().sorted(Comparator.comparingDouble(WordWeight::weight).reversed()).limit(count).toList();
    }
}
