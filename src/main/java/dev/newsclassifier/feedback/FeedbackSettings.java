package dev.newsclassifier.feedback;

import java.time.Duration;

/**
 * How the feedback join runs.
 *
 * @param topic where true labels arrive ({@code ArticleFeedback}, keyed by article id)
 * @param windowSize live metrics cover the last this many judged articles (and drift the last this many predictions)
 * @param retention how long a prediction waits for its true label, and a true label for its prediction
 */
public record FeedbackSettings(String topic, int windowSize, Duration retention) {

    public FeedbackSettings {
        if (windowSize < 1) {
            throw new IllegalArgumentException("news.feedback.window-size must be at least 1, got " + windowSize);
        }
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("news.feedback.retention must be positive, got " + retention);
        }
    }
}
