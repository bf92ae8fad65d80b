package dev.newsclassifier.service;

import dev.newsclassifier.inference.InferenceException;
import dev.newsclassifier.registry.SchemaRegistryUnavailableException;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.jboss.logging.Logger;

/**
 * What a stream thread's failure means. Transient failures (the schema registry is unreachable,
 * the runtime failed a batch, a retriable Kafka error) replace the thread after a growing pause:
 * its tasks resume from the last committed offsets, so nothing is lost or duplicated under
 * exactly-once. Anything else shuts the client down, which fails liveness and lets the
 * orchestrator restart the instance, rather than looping on a bug.
 */
@ApplicationScoped
public class StreamsFailurePolicy implements StreamsUncaughtExceptionHandler {

    private static final Logger LOG = Logger.getLogger(StreamsFailurePolicy.class);
    private static final long MAX_PAUSE_MS = 30_000;
    private static final long QUIET_PERIOD_MS = 300_000;

    private long pauseMs = 500;
    private long lastFailureAt;

    @Override
    public synchronized StreamThreadExceptionResponse handle(Throwable failure) {
        if (!isTransient(failure)) {
            LOG.errorf(failure, "Stream thread failed with an unexpected error; shutting down the Kafka Streams client");
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        long now = System.currentTimeMillis();
        pauseMs = now - lastFailureAt > QUIET_PERIOD_MS ? 500 : Math.min(MAX_PAUSE_MS, pauseMs * 2);
        lastFailureAt = now;
        LOG.warnf("Stream thread failed on a transient error (%s); replacing it in %d ms", rootMessage(failure), pauseMs);
        try {
            Thread.sleep(pauseMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    static boolean isTransient(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SchemaRegistryUnavailableException || cause instanceof InferenceException
                    || cause instanceof RetriableException) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
