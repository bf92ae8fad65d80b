package dev.newsclassifier.topology;

import dev.newsclassifier.avro.ClassifiedArticle;

/**
 * What the micro-batch step hands on for each buffered article, keyed by article id: the labeled
 * article, a shadow model's label of it, or, for an article the model fails on, the dead letter's
 * original key and value (its reason travels in headers).
 */
record BatchResult(ClassifiedArticle labeled, boolean shadow, byte[] deadLetterKey, byte[] deadLetterValue) {

    static BatchResult labeled(ClassifiedArticle article) {
        return new BatchResult(article, false, null, null);
    }

    static BatchResult shadow(ClassifiedArticle article) {
        return new BatchResult(article, true, null, null);
    }

    static BatchResult deadLetter(byte[] key, byte[] value) {
        return new BatchResult(null, false, key, value);
    }

    boolean isDeadLetter() {
        return labeled == null;
    }
}
