package dev.newsclassifier.topology;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What the batches of one application have shown about the inference runtime they share. Two decisions
 * depend on it: whether a lone article that fails is poison or a sign of a broken runtime
 * ({@link BatchInference}), and whether inference failures come in a row, with nothing classified between
 * them (the service's failure policy). Thread-safe: every stream thread reports here.
 */
public final class InferenceHealth {

    private final AtomicLong labelingBatches = new AtomicLong();
    private volatile boolean lastBatchLabeled;

    /** A batch has been resolved: {@code labeledAny} if the runtime classified at least one of its articles. */
    void batchResolved(boolean labeledAny) {
        lastBatchLabeled = labeledAny;
        if (labeledAny) {
            labelingBatches.incrementAndGet();
        }
    }

    /** Whether the batch resolved last, in any task, labeled at least one article; false until one has. */
    boolean lastBatchLabeled() {
        return lastBatchLabeled;
    }

    /** How many batches have labeled an article; the same count at two failures means nothing worked in between. */
    public long labelingBatches() {
        return labelingBatches.get();
    }
}
