package dev.newsclassifier.service;

import dev.newsclassifier.inference.InferenceException;
import dev.newsclassifier.registry.SchemaRegistryUnavailableException;
import dev.newsclassifier.topology.InferenceHealth;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.jboss.logging.Logger;

/**
 * What a stream thread's failure means. Transient failures (the schema registry is unreachable,
 * the runtime failed a batch, a retriable Kafka error) replace the thread after a growing pause:
 * its tasks resume from the last committed offsets, so nothing is lost or duplicated under
 * exactly-once. Anything else shuts the client down, which fails liveness and lets the
 * orchestrator restart the instance, rather than looping on a bug.
 *
 * <p>An inference failure reaches this policy only when the runtime failed on every article of a
 * batch (articles it fails on alone are dead-lettered in the topology). A new thread cannot mend a
 * lost device or a corrupt session, a new process may: the {@code news.inference.failures-before-shutdown}-th
 * inference failure in a row shuts the client down. The count starts again once a batch has labeled an
 * article since the last inference failure ({@link InferenceHealth}); time alone does not reset it,
 * because a broken runtime fails again as soon as the thread is back, however long the pause.
 */
@ApplicationScoped
public class StreamsFailurePolicy implements StreamsUncaughtExceptionHandler {

    private static final Logger LOG = Logger.getLogger(StreamsFailurePolicy.class);
    private static final long MAX_PAUSE_MS = 30_000;
    private static final long QUIET_PERIOD_MS = 300_000;

    private final LongSupplier labelingBatches;
    private final int failuresBeforeShutdown;
    private final LongConsumer pause;
    private long pauseMs = 500;
    private long lastFailureAt;
    private int inferenceFailuresInARow;
    private long labelingBatchesAtLastInferenceFailure = -1;

    @Inject
    StreamsFailurePolicy(InferenceHealth health, NewsConfig config) {
        this(health::labelingBatches, config.inference().failuresBeforeShutdown(), StreamsFailurePolicy::sleep);
    }

    /**
     * @param labelingBatches how many batches have labeled an article so far ({@link InferenceHealth#labelingBatches})
     * @param pause waits the given milliseconds before the thread is replaced
     */
    StreamsFailurePolicy(LongSupplier labelingBatches, int failuresBeforeShutdown, LongConsumer pause) {
        if (failuresBeforeShutdown < 1) {
            throw new IllegalArgumentException("news.inference.failures-before-shutdown must be at least 1, got "
                    + failuresBeforeShutdown);
        }
        this.labelingBatches = labelingBatches;
        this.failuresBeforeShutdown = failuresBeforeShutdown;
        this.pause = pause;
    }

    @Override
    public synchronized StreamThreadExceptionResponse handle(Throwable failure) {
        if (!isTransient(failure)) {
            LOG.errorf(failure, "Stream thread failed with an unexpected error; shutting down the Kafka Streams client");
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        if (isInference(failure) && countInferenceFailure() >= failuresBeforeShutdown) {
            LOG.errorf(failure, "Inference failed on whole batches %d times in a row with nothing classified in"
                    + " between; shutting down the Kafka Streams client so that the instance is restarted",
                    inferenceFailuresInARow);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        long now = System.currentTimeMillis();
        pauseMs = now - lastFailureAt > QUIET_PERIOD_MS ? 500 : Math.min(MAX_PAUSE_MS, pauseMs * 2);
        lastFailureAt = now;
        LOG.warnf("Stream thread failed on a transient error (%s); replacing it in %d ms", rootMessage(failure), pauseMs);
        pause.accept(pauseMs);
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    private int countInferenceFailure() {
        long labeling = labelingBatches.getAsLong();
        inferenceFailuresInARow = labeling == labelingBatchesAtLastInferenceFailure ? inferenceFailuresInARow + 1 : 1;
        labelingBatchesAtLastInferenceFailure = labeling;
        return inferenceFailuresInARow;
    }

    static boolean isTransient(Throwable failure) {
        return causedBy(failure, cause -> cause instanceof SchemaRegistryUnavailableException
                || cause instanceof InferenceException || cause instanceof RetriableException);
    }

    private static boolean isInference(Throwable failure) {
        return causedBy(failure, InferenceException.class::isInstance);
    }

    private static boolean causedBy(Throwable failure, Predicate<Throwable> kind) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (kind.test(cause)) {
                return true;
            }
        }
        return false;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
