package dev.newsclassifier.topology;

/**
 * What the intake step hands on: an accepted article for the batch buffer, with the original
 * bytes in case the model fails on it later, or a rejected record's dead-letter value (the
 * original bytes, unless too large for the dead-letter topic; its reason travels in headers).
 */
record IntakeResult(ArticleIntake.Accepted accepted, byte[] value) {

    boolean isRejected() {
        return accepted == null;
    }
}
