package dev.newsclassifier.evaluation;

import java.util.List;

/**
 * One classified article as the evaluation sees it.
 *
 * @param trueLabel the label a person gave the article, or null when unknown
 * @param publishedAtMillis when the article entered the pipeline (the input record's timestamp),
 *        or -1 when there was no pipeline (classify from a file)
 * @param classifiedAtMillis when the model labeled it
 * @param topWords the words that argued most for the predicted label, strongest first, when known
 */
public record Prediction(String id, String title, String trueLabel, String predicted, double confidence,
        long publishedAtMillis, long classifiedAtMillis, List<String> topWords) {

    public Prediction {
        topWords = topWords == null ? List.of() : List.copyOf(topWords);
    }

    /** A prediction whose deciding words are not known. */
    public Prediction(String id, String title, String trueLabel, String predicted, double confidence,
            long publishedAtMillis, long classifiedAtMillis) {
        this(id, title, trueLabel, predicted, confidence, publishedAtMillis, classifiedAtMillis, List.of());
    }

    public Prediction withTopWords(List<String> words) {
        return new Prediction(id, title, trueLabel, predicted, confidence, publishedAtMillis, classifiedAtMillis, words);
    }

    public boolean labeled() {
        return trueLabel != null;
    }

    public boolean correct() {
        return predicted.equals(trueLabel);
    }
}
