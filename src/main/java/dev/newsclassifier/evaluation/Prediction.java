package dev.newsclassifier.evaluation;

/**
 * One classified article as the evaluation sees it.
 *
 * @param trueLabel the label a person gave the article, or null when unknown
 * @param publishedAtMillis when the article entered the pipeline (the input record's timestamp),
 *        or -1 when there was no pipeline (classify from a file)
 * @param classifiedAtMillis when the model labeled it
 */
public record Prediction(String id, String title, String trueLabel, String predicted, double confidence,
        long publishedAtMillis, long classifiedAtMillis) {

    public boolean labeled() {
        return trueLabel != null;
    }

    public boolean correct() {
        return predicted.equals(trueLabel);
    }
}
