package dev.newsclassifier.dataset;

/**
 * An article read from a file, with the label a person gave it when the file has one.
 *
 * @param line the 1-based line where the record starts, for error messages and stable ids
 */
public record LabeledArticle(String id, String title, String description, String source, String label, long line) {
}
