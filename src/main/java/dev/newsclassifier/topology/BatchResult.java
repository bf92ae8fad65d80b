package dev.newsclassifier.topology;

import dev.newsclassifier.avro.ClassifiedArticle;

/**
 * What the micro-batch step hands on for each buffered article, keyed by article id: the labeled
 * article, or, for an article the model fails on, the dead letter's original key and value (its
 * reason travels in headers).
 */
record BatchResult(ClassifiedArticle labeled, byte[] deadLetterKey, byte[] deadLetterValue) {

    static BatchResult labeled(ClassifiedArticle article) {
        return new BatchResult(article, null, null);
    }

    static BatchResult deadLetter(byte[] key, byte[] value) {
        return new BatchResult(null, key, value);
    }

    boolean isDeadLetter() {
        return labeled == null;
    }
}
