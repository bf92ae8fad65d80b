package dev.newsclassifier.topology;

import dev.newsclassifier.avro.BufferedArticle;
import dev.newsclassifier.inference.Classification;
import dev.newsclassifier.inference.ModelConfig;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The micro-batch of one stream thread: the accepted articles of all the thread's tasks wait here together, so one
 * model call takes articles from every partition the thread reads, batches follow the load, and no task waits
 * behind another task's batch.
 *
 * <p>Batching is dynamic, as Triton's: when the model is idle and articles wait, they run now; while it runs, the
 * next ones accumulate (the stream thread classifies synchronously, so they accumulate in the consumer and arrive
 * together once it returns). A batch runs:
 * <ul>
 *   <li>at once when {@code maxSize} articles wait;</li>
 *   <li>at the first check after input stopped arriving (no article came since the previous check: the thread has
 *       processed everything it polled and waited a poll for more), so a quiet stream is classified right away;</li>
 *   <li>at a check once the oldest waiting article has waited {@code maxDelay}, which only caps the wait while
 *       input keeps arriving.</li>
 * </ul>
 * Checks come from the tasks' wall-clock punctuators; one task, the first that joined, makes the decision for the
 * thread, so the rule sees each pass of the thread's loop once.
 *
 * <p>Exactly once holds because the batcher keeps nothing that the tasks' changelogged buffer stores do not: an
 * article stays in its task's store until that task forwards its label and deletes it, within the task's own
 * processing or punctuation. A label computed for another task waits in memory for that task's next turn (its next
 * record or check); if the task is revoked or the thread dies first, the label is dropped and the article, still
 * in the store's changelog, is classified again by whoever restores it. Under exactly-once v2 a thread's tasks
 * commit in one transaction, so the label and the delete of each article are committed together.
 *
 * <p>Not thread-safe, by design: every member runs on the thread that owns the batcher ({@link ThreadBatchers}).
 */
final class ThreadBatcher {

    /** An article waiting for a batch, with the task that buffered it. */
    record Waiting(Member owner, long sequence, BufferedArticle article) {
    }

    /** An article's verdict in a batch, with the shadow model's label when one ran and labeled it. */
    record Verdict(long sequence, BufferedArticle article, BatchInference.Verdict verdict, List<String> topWords,
            Classification shadowLabel) {
    }

    /** A batch's verdicts for one task, in the order its articles arrived, and the models that gave them. */
    record Verdicts(List<Verdict> verdicts, ModelConfig model, ModelConfig shadowModel) {
    }

    /** A task of this thread that batches here. */
    interface Member {

        /** Takes its articles' verdicts from a batch it or another task ran; forwards them on its own turn. */
        void accept(Verdicts verdicts);
    }

    private final BatchInference inference;
    private final ShadowInference shadow;
    private final PipelineMetrics metrics;
    private final int maxSize;
    private final long maxDelayMs;
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private final Set<Member> members = new LinkedHashSet<>();
    private int arrivalsSinceCheck;

    ThreadBatcher(BatchInference inference, ShadowInference shadow, PipelineMetrics metrics, int maxSize,
            long maxDelayMs) {
        this.inference = inference;
        this.shadow = shadow;
        this.metrics = metrics;
        this.maxSize = maxSize;
        this.maxDelayMs = maxDelayMs;
    }

    void join(Member member) {
        members.add(member);
    }

    /** The member's task is closed (revoked, migrated, thread stopping): its waiting articles leave the batch. */
    void leave(Member member) {
        members.remove(member);
        waiting.removeIf(entry -> entry.owner() == member);
    }

    /** An article restored from a member's store: it waits, and runs at the next check. */
    void restored(Member owner, long sequence, BufferedArticle article) {
        waiting.add(new Waiting(owner, sequence, article));
    }

    /** An article a member just buffered; the batch runs at once if it is full. */
    void arrived(Member owner, long sequence, BufferedArticle article, long now) {
        waiting.add(new Waiting(owner, sequence, article));
        arrivalsSinceCheck++;
        if (waiting.size() >= maxSize) {
            run(now);
        }
    }

    /** A member's wall-clock check; the thread's first member decides whether the waiting articles run now. */
    void check(Member member, long now) {
        if (members.isEmpty() || members.iterator().next() != member) {
            return;
        }
        boolean inputStopped = arrivalsSinceCheck == 0;
        arrivalsSinceCheck = 0;
        if (!waiting.isEmpty() && (inputStopped || now - oldestBufferedAt() >= maxDelayMs)) {
            run(now);
        }
    }

    private long oldestBufferedAt() {
        long oldest = Long.MAX_VALUE;
        for (Waiting entry : waiting) {
            oldest = Math.min(oldest, entry.article().getBufferedAt());
        }
        return oldest;
    }

    /**
     * Classifies up to {@code maxSize} waiting articles, oldest arrivals first, in one call, and hands each member its
     * verdicts. When the runtime fails ({@link dev.newsclassifier.inference.InferenceException}), the articles wait
     * again and the exception goes to the stream thread's failure policy.
     */
    private void run(long now) {
        List<Waiting> batch = new ArrayList<>(Math.min(maxSize, waiting.size()));
        while (batch.size() < maxSize && !waiting.isEmpty()) {
            batch.add(waiting.poll());
        }
        for (Waiting entry : batch) {
            metrics.articleQueued(now - entry.article().getBufferedAt());
        }
        BatchInference.Outcome outcome;
        try {
            outcome = inference.classify(batch.stream().map(entry -> entry.article().getText()).toList());
        } catch (RuntimeException e) {
            for (int i = batch.size() - 1; i >= 0; i--) {
                waiting.addFirst(batch.get(i));
            }
            throw e;
        }
        List<Integer> labeled = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            if (!outcome.verdicts().get(i).isPoison()) {
                labeled.add(i);
            }
        }
        Optional<ShadowInference.Labels> shadowLabels = shadow.classify(
                labeled.stream().map(i -> batch.get(i).article().getText()).toList());
        Classification[] shadowOf = new Classification[batch.size()];
        shadowLabels.ifPresent(labels -> {
            for (int k = 0; k < labeled.size(); k++) {
                shadowOf[labeled.get(k)] = labels.classifications().get(k);
            }
        });
        Map<Member, List<Verdict>> byOwner = new LinkedHashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            Waiting entry = batch.get(i);
            byOwner.computeIfAbsent(entry.owner(), owner -> new ArrayList<>()).add(new Verdict(entry.sequence(),
                    entry.article(), outcome.verdicts().get(i), outcome.topWords().get(i), shadowOf[i]));
        }
        ModelConfig shadowModel = shadowLabels.map(ShadowInference.Labels::model).orElse(null);
        byOwner.forEach((owner, verdicts) -> owner.accept(new Verdicts(verdicts, outcome.model(), shadowModel)));
    }
}
