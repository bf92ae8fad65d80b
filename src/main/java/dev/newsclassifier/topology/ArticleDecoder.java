package dev.newsclassifier.topology;

import dev.newsclassifier.avro.NewsArticle;
import org.apache.kafka.common.header.Headers;

/**
 * Turns a raw record value into an article. The topology consumes raw bytes and decodes them
 * itself, so that a record it cannot read is dead-lettered byte for byte instead of stopping
 * the stream in the deserializer.
 */
@FunctionalInterface
public interface ArticleDecoder {

    /**
     * @throws UndecodableArticleException when these bytes can never become an article; any
     *     other exception means a transient failure (e.g. the schema registry is down) and
     *     fails the task, so the record is retried rather than dead-lettered
     */
    NewsArticle decode(String topic, Headers headers, byte[] value);
}
