package dev.newsclassifier.topology;

import dev.newsclassifier.inference.Classification;
import dev.newsclassifier.inference.ModelConfig;
import dev.newsclassifier.inference.ModelSlot;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Classifies a batch's labeled articles a second time with the shadow model, when one runs, after the primary. The
 * shadow never holds the stream back: a failure of it is logged and counted, and the batch goes on without its
 * shadow labels.
 */
final class ShadowInference {

    private static final Logger LOG = Logger.getLogger(ShadowInference.class);

    private final ModelSlot shadow;
    private final PipelineMetrics metrics;

    ShadowInference(ModelSlot shadow, PipelineMetrics metrics) {
        this.shadow = shadow;
        this.metrics = metrics;
    }

    /** The shadow model's verdicts, one per text in order, and the model that gave them all. */
    record Labels(List<Classification> classifications, ModelConfig model) {
    }

    /** The shadow's labels of these texts; empty when no shadow runs, there is nothing to label, or it failed. */
    Optional<Labels> classify(List<String> texts) {
        if (texts.isEmpty()) {
            return Optional.empty();
        }
        try {
            return shadow.withModel(model -> {
                long started = System.nanoTime();
                List<Classification> results = model.classify(texts);
                metrics.shadowBatchClassified(System.nanoTime() - started);
                return new Labels(results, model.model());
            });
        } catch (RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw e;
            }
            metrics.shadowFailed();
            LOG.warnf("The shadow model failed on a batch of %d; the batch goes on without shadow labels (%s)",
                    texts.size(), e.getMessage());
            return Optional.empty();
        }
    }
}
