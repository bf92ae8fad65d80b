package dev.newsclassifier.inference;

import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * A place for one model, or none, that can be refilled while batches use it. Batches share the model in it;
 * {@link #replace} waits until the batches in progress are done, lets no new one start meanwhile, then installs the
 * new model (or empties the slot) and closes the old one. The lock is fair, so a replacement waits for at most one
 * batch per stream thread even under steady load, and the batches after it wait only for the replacement itself (an
 * assignment), never for a model to load.
 */
public final class ModelSlot implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ModelSlot.class);

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock(true);
    private volatile Classifier current;

    public ModelSlot(Classifier initial) {
        this.current = initial;
    }

    public static ModelSlot empty() {
        return new ModelSlot(null);
    }

    public Optional<ModelConfig> model() {
        Classifier model = current;
        return model == null ? Optional.empty() : Optional.of(model.model());
    }

    /** Runs one batch's work on the model in the slot, which stays there until the work is done; empty if none. */
    public <T> Optional<T> withModel(Function<Classifier, T> batch) {
        lock.readLock().lock();
        try {
            return current == null ? Optional.empty() : Optional.of(current.withOneModel(batch));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Puts {@code next} (null: nothing) in the slot once no batch uses the model there, closes that model, and says what it was. */
    public Optional<ModelConfig> replace(Classifier next) {
        Classifier previous;
        lock.writeLock().lock();
        try {
            previous = current;
            current = next;
        } finally {
            lock.writeLock().unlock();
        }
        if (previous == null) {
            return Optional.empty();
        }
        closeQuietly(previous);
        return Optional.of(previous.model());
    }

    @Override
    public void close() {
        replace(null);
    }

    private static void closeQuietly(Classifier classifier) {
        if (classifier instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.warnf(e, "Closing model %s failed", classifier.model());
            }
        }
    }
}
