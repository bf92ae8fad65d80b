package dev.newsclassifier.topology;

import dev.newsclassifier.avro.NewsArticle;
import dev.newsclassifier.inference.TextRule;
import org.apache.kafka.common.header.Headers;

/**
 * The intake policy: which raw records become articles to classify and which are dead-lettered.
 *
 * <ul>
 *   <li>Dead-lettered: a null value (tombstone), a record over {@code maxRecordBytes}, bytes the
 *       decoder rejects, an article without an id, and an article whose title and description
 *       hold no text once cleaned.</li>
 *   <li>Classified as they are: odd but readable text (markup, other languages, control
 *       characters; invalid UTF-8 already became U+FFFD when Avro decoded the strings). Text over
 *       {@code maxTextChars} is cut and the result is flagged truncated.</li>
 * </ul>
 */
final class ArticleIntake {

    private final ArticleDecoder decoder;
    private final int maxTextChars;
    private final int maxRecordBytes;

    ArticleIntake(ArticleDecoder decoder, int maxTextChars, int maxRecordBytes) {
        this.decoder = decoder;
        this.maxTextChars = maxTextChars;
        this.maxRecordBytes = maxRecordBytes;
    }

    sealed interface Outcome permits Accepted, Rejected {
    }

    /** An article to classify, keyed by its id, with the text the model will see. */
    record Accepted(String key, NewsArticle article, String text, boolean truncated) implements Outcome {
    }

    /** A record to dead-letter; {@code reason} is a stable code, {@code detail} is for people. */
    record Rejected(String reason, String detail) implements Outcome {
    }

    Outcome admit(String topic, Headers headers, byte[] value) {
        if (value == null) {
            return new Rejected(DeadLetters.NULL_VALUE, "record has no value (a tombstone); there is no article to classify");
        }
        if (value.length > maxRecordBytes) {
            return new Rejected(DeadLetters.RECORD_TOO_LARGE,
                    "record value is " + value.length + " bytes, the limit is " + maxRecordBytes);
        }
        NewsArticle article;
        try {
            article = decoder.decode(topic, headers, value);
        } catch (UndecodableArticleException e) {
            return new Rejected(e.reason(), e.getMessage());
        }
        if (article.getId() == null || article.getId().isBlank()) {
            return new Rejected(DeadLetters.MISSING_ID, "article id is blank");
        }
        String text = TextRule.apply(article.getTitle(), article.getDescription());
        if (text.isEmpty()) {
            return new Rejected(DeadLetters.EMPTY_TEXT, "title and description hold no text");
        }
        boolean truncated = text.length() > maxTextChars;
        if (truncated) {
            int end = Character.isHighSurrogate(text.charAt(maxTextChars - 1)) ? maxTextChars - 1 : maxTextChars;
            text = text.substring(0, end);
        }
        // The output is keyed by article id, whatever key (or none) the input record carried.
        return new Accepted(article.getId(), article, text, truncated);
    }

}
