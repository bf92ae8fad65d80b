package dev.newsclassifier.topology;

/**
 * Which labeled articles carry the words that decided their label ({@code top_words}), and how many words.
 *
 * @param mode {@code OFF}, {@code NEEDS_REVIEW} (the articles review routing flags) or {@code ALL} (for debugging:
 *     every article costs one model call of about as many texts as it has words)
 * @param count words listed per article, strongest first
 * @param maxWords words weighed per article at most; later words stay in every variant
 */
public record ExplainPolicy(Mode mode, int count, int maxWords) {

    public static final ExplainPolicy OFF = new ExplainPolicy(Mode.OFF, 5, 64);

    public enum Mode {
        OFF,
        NEEDS_REVIEW,
        ALL
    }

    public ExplainPolicy {
        if (count < 1 || maxWords < 1) {
            throw new IllegalArgumentException("news.explain.top-words count and max-words must be at least 1");
        }
    }
}
