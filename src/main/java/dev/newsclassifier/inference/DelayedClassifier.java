package dev.newsclassifier.inference;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.concurrent.TimeUnit;

/**
 * For fault tests only: a classifier whose every batch takes at least {@code minimum}, to show how
 * the service behaves when inference is slow (set with {@code news.faults.inference-delay}). It
 * sleeps for whatever the real classification left of the minimum, so the delay does not add up
 * with the model's own time.
 */
public final class DelayedClassifier implements Classifier {

    private final Classifier delegate;
    private final long minimumNanos;

    private DelayedClassifier(Classifier delegate, Duration minimum) {
        this.delegate = delegate;
        this.minimumNanos = minimum.toNanos();
    }

    /** The delegate itself when {@code minimum} is zero, so a service without faults runs no extra code. */
    public static Classifier atLeast(Classifier delegate, Duration minimum) {
        if (minimum.isNegative()) {
            throw new IllegalArgumentException("inference delay must not be negative, got " + minimum);
        }
        return minimum.isZero() ? delegate : new DelayedClassifier(delegate, minimum);
    }

    @Override
    public List<Classification> classify(List<String> texts) {
        long started = System.nanoTime();
        List<Classification> results = delegate.classify(texts);
        long left = minimumNanos - (System.nanoTime() - started);
        if (left > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(left);
            } catch (InterruptedException e) {
                // The results are complete; a shorter delay is no harm, and the caller still sees the interrupt.
                Thread.currentThread().interrupt();
            }
        }
        return results;
    }

    @Override
    public ModelConfig model() {
        return delegate.model();
    }

    @Override
    public <T> T withOneModel(Function<Classifier, T> batch) {
        return delegate.withOneModel(model -> batch.apply(new DelayedClassifier(model, Duration.ofNanos(minimumNanos))));
    }
}
