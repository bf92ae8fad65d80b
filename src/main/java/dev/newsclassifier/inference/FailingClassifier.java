package dev.newsclassifier.inference;

import java.util.List;
import java.util.function.Function;
import java.util.Optional;

/**
 * For fault tests only: a classifier that fails the whole call when any text contains {@code marker}
 * (set with {@code news.faults.poison-marker}), the way a real runtime fails a batch for one input it
 * cannot take. Texts without the marker are classified by the delegate.
 */
public final class FailingClassifier implements Classifier {

    private final Classifier delegate;
    private final String marker;

    private FailingClassifier(Classifier delegate, String marker) {
        this.delegate = delegate;
        this.marker = marker;
    }

    /** The delegate itself without a marker, so a service without faults runs no extra code. */
    public static Classifier onMarker(Classifier delegate, Optional<String> marker) {
        if (marker.isPresent() && marker.get().isBlank()) {
            // Every text contains the empty string: a blank marker would fail every batch, not poison articles.
            throw new IllegalArgumentException("poison marker must not be blank");
        }
        return marker.<Classifier>map(text -> new FailingClassifier(delegate, text)).orElse(delegate);
    }

    @Override
    public List<Classification> classify(List<String> texts) {
        long poisoned = texts.stream().filter(text -> text.contains(marker)).count();
        if (poisoned > 0) {
            throw new InferenceException("fault injection: " + poisoned + " of " + texts.size()
                    + " texts contain the poison marker");
        }
        return delegate.classify(texts);
    }

    @Override
    public ModelConfig model() {
        return delegate.model();
    }

    @Override
    public <T> T withOneModel(Function<Classifier, T> batch) {
        return delegate.withOneModel(model -> batch.apply(new FailingClassifier(model, marker)));
    }
}
