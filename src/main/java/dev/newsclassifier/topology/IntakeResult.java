package dev.newsclassifier.topology;

/**
 * What the intake step hands on: an accepted article for the batch buffer, or the original
 * bytes of a rejected record for the dead-letter topic (its reason travels in headers).
 */
record IntakeResult(ArticleIntake.Accepted accepted, byte[] rejectedValue) {

    boolean isRejected() {
        return accepted == null;
    }
}
