package dev.newsclassifier.topology;

import dev.newsclassifier.inference.Classification;
import dev.newsclassifier.inference.Classifier;
import dev.newsclassifier.inference.InferenceException;
import dev.newsclassifier.inference.ModelConfig;
import dev.newsclassifier.explain.Occlusion;
import dev.newsclassifier.explain.WordWeight;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.jboss.logging.Logger;

/**
 * Classifies a batch so that an article the model cannot take does not hold back the others.
 *
 * <p>A model call that fails ({@link InferenceException}, or any other runtime exception from
 * {@link Classifier#classify}) is tried once more, because a runtime may fail once for reasons of its
 * own. If it fails again, the batch is split in halves and each half classified, splitting again
 * where a half fails, down to single articles. An article that fails alone is poison, to be
 * dead-lettered; every other article is labeled. Isolating one poison article in a batch of
 * {@code n} costs two calls on the whole batch and two per halving, {@code 2 + 2 log2(n)}.
 *
 * <p>When every article of the batch fails alone, the runtime is broken (device lost, session
 * corrupt), not the articles: nothing is dead-lettered, and an {@link InferenceException} leaves the
 * batch in the buffer for the service's failure policy to pause, replace the stream thread and, after
 * a bounded number of such failures in a row, stop the instance.
 *
 * <p>A batch of one article cannot tell the two apart. The rule: the article is poison only if the
 * batch resolved just before it, in any task, labeled at least one article, so the runtime was
 * working a moment ago; otherwise, and before any batch has labeled anything, its failure is a
 * runtime failure. A lone article that fails also counts as a batch that labeled nothing, so after a
 * device is lost at most one lone article is dead-lettered before the next lone failure is taken for
 * what it is. The cost: a lone poison article in a quiet task is retried with the stream thread
 * until an article arrives behind it and joins its batch (that one classifies, and the poison is
 * isolated), or until the failure bound stops the instance.
 *
 * <p>Kafka Streams' own processing exception handler (KIP-1033) and its dead-letter records (KIP-1034) do not
 * express this policy. The handler sees one failed record with its context; a batch fails as a whole, and half of
 * the batches run in the max-delay punctuator, where the handler gets no record at all. It cannot tell which
 * buffered article broke the batch, nor retry or halve it, nor tell a poison article from a broken runtime; and its
 * dead letters would carry the record at hand, not each buffered article's original bytes and source offsets.
 */
final class BatchInference {

    private static final Logger LOG = Logger.getLogger(BatchInference.class);

    private final Classifier classifier;
    private final PipelineMetrics metrics;
    private final InferenceHealth health;
    private final ExplainPolicy explain;
    private final ReviewPolicy review;

    BatchInference(Classifier classifier, PipelineMetrics metrics, InferenceHealth health) {
        this(classifier, metrics, health, ExplainPolicy.OFF, ReviewPolicy.OFF);
    }

    /**
     * @param explain which labeled articles get the words that decided them, by the same model as their label
     * @param review what needs review, for {@link ExplainPolicy.Mode#NEEDS_REVIEW}
     */
    BatchInference(Classifier classifier, PipelineMetrics metrics, InferenceHealth health, ExplainPolicy explain,
            ReviewPolicy review) {
        this.classifier = classifier;
        this.metrics = metrics;
        this.health = health;
        this.explain = explain;
        this.review = review;
    }

    /** The model's classification of one text, or the failure of the model on that text alone. */
    record Verdict(Classification classification, RuntimeException failure) {

        boolean isPoison() {
            return failure != null;
        }

        /** For the dead letter's detail header: the runtime's message. */
        String detail() {
            return Objects.toString(failure.getMessage(), failure.getClass().getName());
        }
    }

    /**
     * A batch's verdicts, one per text in order, the one model that gave them all, and for each text the words that
     * decided its label (empty where the explain policy left it out).
     */
    record Outcome(List<Verdict> verdicts, ModelConfig model, List<List<String>> topWords) {
    }

    /**
     * Classifies a batch on one model, even when the model is being replaced meanwhile, and explains the articles the
     * explain policy picks with that same model.
     *
     * @throws InferenceException when the runtime, not the articles, is failing (see the class comment)
     */
    Outcome classify(List<String> texts) {
        return classifier.withOneModel(model -> {
            List<Verdict> verdicts = classify(model, texts);
            return new Outcome(verdicts, model.model(), explain(model, texts, verdicts));
        });
    }

    private List<List<String>> explain(Classifier model, List<String> texts, List<Verdict> verdicts) {
        List<List<String>> words = new ArrayList<>(Collections.nCopies(texts.size(), List.of()));
        if (explain.mode() == ExplainPolicy.Mode.OFF) {
            return words;
        }
        Occlusion occlusion = new Occlusion(model, explain.maxWords());
        for (int i = 0; i < texts.size(); i++) {
            Verdict verdict = verdicts.get(i);
            if (verdict.isPoison() || (explain.mode() == ExplainPolicy.Mode.NEEDS_REVIEW
                    && !review.needsReview(verdict.classification()))) {
                continue;
            }
            long started = System.nanoTime();
            try {
                words.set(i, occlusion.explain(texts.get(i)).strongest(explain.count()).stream()
                        .map(WordWeight::word).toList());
            } catch (RuntimeException e) {
                // The label stands without its words: an explanation is never worth an article.
                LOG.warnf("Explaining an article failed; it is labeled without its top words (%s)", e.getMessage());
            }
            metrics.articleExplained(System.nanoTime() - started);
        }
        return words;
    }

    private List<Verdict> classify(Classifier model, List<String> texts) {
        Verdict[] verdicts = new Verdict[texts.size()];
        RuntimeException failure = attempt(model, texts, 0, texts.size(), verdicts);
        if (failure != null) {
            LOG.warnf("Inference failed on a batch of %d (%s); trying it once more", texts.size(), failure.getMessage());
            metrics.inferenceRetried();
            failure = attempt(model, texts, 0, texts.size(), verdicts);
        }
        if (failure != null) {
            split(model, texts, 0, texts.size(), failure, verdicts);
        }
        long poison = Arrays.stream(verdicts).filter(Verdict::isPoison).count();
        boolean runtimeBroken = poison == texts.size() && (texts.size() > 1 || !health.lastBatchLabeled());
        health.batchResolved(poison < texts.size());
        if (runtimeBroken) {
            metrics.runtimeFailed();
            String what = texts.size() == 1
                    ? "a batch of one article, and the batch before it labeled nothing: taken for the runtime failing"
                    : "each of the " + texts.size()
                            + " articles of a batch alone: the runtime is failing, not the articles";
            throw new InferenceException("Inference failed on " + what + ". Last error: " + failure.getMessage(), failure);
        }
        return List.of(verdicts);
    }

    private void isolate(Classifier model, List<String> texts, int from, int to, Verdict[] verdicts) {
        RuntimeException failure = attempt(model, texts, from, to, verdicts);
        if (failure != null) {
            split(model, texts, from, to, failure, verdicts);
        }
    }

    private void split(Classifier model, List<String> texts, int from, int to, RuntimeException failure,
            Verdict[] verdicts) {
        if (to - from == 1) {
            verdicts[from] = new Verdict(null, failure);
            return;
        }
        metrics.batchSplit();
        int middle = (from + to) >>> 1;
        isolate(model, texts, from, middle, verdicts);
        isolate(model, texts, middle, to, verdicts);
    }

    /** Classifies {@code texts[from, to)} into {@code verdicts}; the model's failure, or null when it succeeded. */
    private RuntimeException attempt(Classifier model, List<String> texts, int from, int to, Verdict[] verdicts) {
        List<String> part = texts.subList(from, to);
        long started = System.nanoTime();
        List<Classification> results;
        metrics.inferenceStarted();
        try {
            results = model.classify(part);
        } catch (RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                // The thread is being stopped: leave the batch in the buffer rather than judge its articles.
                throw e;
            }
            return e;
        } finally {
            metrics.inferenceFinished();
        }
        metrics.batchClassified(part.size(), System.nanoTime() - started);
        for (int i = 0; i < part.size(); i++) {
            verdicts[from + i] = new Verdict(results.get(i), null);
        }
        return null;
    }
}
