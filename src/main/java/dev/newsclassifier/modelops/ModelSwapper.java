package dev.newsclassifier.modelops;

import dev.newsclassifier.inference.Classification;
import dev.newsclassifier.inference.InferenceOptions;
import dev.newsclassifier.inference.ModelConfig;
import dev.newsclassifier.inference.ModelLoadException;
import dev.newsclassifier.inference.ModelSlot;
import dev.newsclassifier.inference.OnnxClassifier;
import dev.newsclassifier.inference.SwappableClassifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Replaces the serving model while the stream runs, and starts and stops the shadow model. The new model folder is loaded and checked on the caller's
 * thread, off the stream's path: the start-up checks ({@link OnnxClassifier#load}), then one batch of sample texts,
 * which proves it runs and warms it. Only a model that passed is swapped in, between two batches; one that failed
 * is closed and the old one keeps serving. A folder outside the models root is refused before anything is read. A
 * shadow model passes the same checks before it starts.
 */
public final class ModelSwapper {

    private static final Logger LOG = Logger.getLogger(ModelSwapper.class);

    /** Texts for the trial batch: any words do, as the check is that the model runs and answers for each. */
    private static final List<String> TRIAL_TEXTS = List.of(
            "Stocks rallied after the central bank held interest rates steady",
            "The home side won the final in extra time",
            "A new chip promises faster phones and longer battery life",
            "Leaders met for talks on the border dispute");

    private final Path root;
    private final InferenceOptions options;
    private final SwappableClassifier serving;
    private final ModelSlot shadow;
    private final boolean shadowTopicSet;
    private final ModelMetrics metrics;
    private Path servingDir;
    private Consumer<Path> swapListener = dir -> { };

    /**
     * @param shadow the shadow model's place, which this swapper fills and empties
     * @param shadowTopicSet whether the topology writes shadow labels anywhere; without it no shadow may start
     */
    public ModelSwapper(Path root, Path startUpDir, InferenceOptions options, SwappableClassifier serving,
            ModelSlot shadow, boolean shadowTopicSet, ModelMetrics metrics) {
        this.root = root.toAbsolutePath().normalize();
        this.servingDir = startUpDir.toAbsolutePath().normalize();
        this.options = options;
        this.serving = serving;
        this.shadow = shadow;
        this.shadowTopicSet = shadowTopicSet;
        this.metrics = metrics;
    }

    /** What a swap came to, for the caller and the log. */
    public record Result(Outcome outcome, String message, ModelConfig from, ModelConfig to, Path dir) {
    }

    public enum Outcome {
        SWAPPED,
        SHADOW_STARTED,
        /** The folder is outside the models root. */
        OUTSIDE_ROOT,
        /** The model failed its checks. */
        FAILED_CHECKS,
        /** A shadow model was asked for, but no shadow topic is set. */
        NO_SHADOW_TOPIC
    }

    /** Tells {@code listener} the folder of each model swapped in, after the swap. */
    public synchronized void onSwap(Consumer<Path> listener) {
        swapListener = listener;
    }

    public synchronized Path servingDir() {
        return servingDir;
    }

    public ModelConfig serving() {
        return serving.model();
    }

    /** Swaps to the model folder {@code requested}, a path relative to the models root or an absolute one inside it. */
    public synchronized Result swap(String requested) {
        ModelConfig from = serving.model();
        Candidate candidate = load(requested, from, "swap");
        if (candidate.refusal() != null) {
            return candidate.refusal();
        }
        ModelConfig to = candidate.model().model();
        if (!to.labels().equals(from.labels())) {
            LOG.warnf("Model %s %s has other labels than %s %s: %s instead of %s; downstream readers see the new ones",
                    to.name(), to.version(), from.name(), from.version(), to.labels(), from.labels());
        }
        long swapping = System.nanoTime();
        serving.swap(candidate.model());
        servingDir = candidate.dir();
        metrics.swapped(to);
        swapListener.accept(servingDir);
        String message = String.format("swapped %s %s for %s %s from %s (loaded and checked in %d ms, swapped in %d ms)",
                from.name(), from.version(), to.name(), to.version(), candidate.dir(), candidate.checkedMs(),
                (System.nanoTime() - swapping) / 1_000_000);
        LOG.info(message);
        return new Result(Outcome.SWAPPED, message, from, to, candidate.dir());
    }

    /** The shadow model now, if one runs. */
    public Optional<ModelConfig> shadow() {
        return shadow.model();
    }

    /**
     * Runs the model folder {@code requested} as the shadow model, replacing the one that runs, if any, after the same
     * checks as a swap; refused when there is no shadow topic to write its labels to.
     */
    public synchronized Result startShadow(String requested) {
        ModelConfig primary = serving.model();
        if (!shadowTopicSet) {
            return refused(Outcome.NO_SHADOW_TOPIC, primary, root.resolve(requested).normalize(),
                    "no shadow topic: set news.topics.shadow (the topic must exist) to run a shadow model", "shadow");
        }
        Candidate candidate = load(requested, primary, "shadow");
        if (candidate.refusal() != null) {
            return candidate.refusal();
        }
        ModelConfig to = candidate.model().model();
        Optional<ModelConfig> replaced = shadow.replace(candidate.model());
        metrics.shadowStarted(to);
        String message = String.format("shadow model %s %s from %s runs after %s %s%s (loaded and checked in %d ms)",
                to.name(), to.version(), candidate.dir(), primary.name(), primary.version(),
                replaced.map(old -> ", replacing " + old.name() + " " + old.version()).orElse(""),
                candidate.checkedMs());
        LOG.info(message);
        return new Result(Outcome.SHADOW_STARTED, message, replaced.orElse(null), to, candidate.dir());
    }

    /** Stops the shadow model, if one runs, once its batch in progress is done; what it was. */
    public synchronized Optional<ModelConfig> stopShadow() {
        Optional<ModelConfig> stopped = shadow.replace(null);
        stopped.ifPresent(model -> {
            metrics.shadowStopped();
            LOG.infof("Shadow model %s %s stopped", model.name(), model.version());
        });
        return stopped;
    }

    /** A model folder loaded and checked, or why it was refused. */
    private record Candidate(Path dir, OnnxClassifier model, long checkedMs, Result refusal) {
    }

    private Candidate load(String requested, ModelConfig serving, String purpose) {
        Path dir = root.resolve(requested).normalize();
        Optional<Path> outside = outsideRoot(dir);
        if (outside.isPresent()) {
            return new Candidate(dir, null, 0, refused(Outcome.OUTSIDE_ROOT, serving, dir, "model folder "
                    + outside.get() + " is outside the models root " + root + " (news.model.root)", purpose));
        }
        long started = System.nanoTime();
        OnnxClassifier candidate;
        try {
            candidate = OnnxClassifier.load(dir, options);
        } catch (ModelLoadException e) {
            return new Candidate(dir, null, 0, refused(Outcome.FAILED_CHECKS, serving, dir, e.getMessage(), purpose));
        }
        try {
            trial(candidate);
        } catch (RuntimeException e) {
            candidate.close();
            return new Candidate(dir, null, 0, refused(Outcome.FAILED_CHECKS, serving, dir,
                    "model " + dir + " failed its trial batch: " + e.getMessage(), purpose));
        }
        return new Candidate(dir, candidate, (System.nanoTime() - started) / 1_000_000, null);
    }

    /** Where {@code dir} really is when that is outside the root; empty when it is inside. */
    private Optional<Path> outsideRoot(Path dir) {
        if (!dir.startsWith(root)) {
            return Optional.of(dir);
        }
        if (!Files.exists(dir)) {
            return Optional.empty();
        }
        try {
            // A link inside the root may lead out of it: what counts is where the folder really is.
            Path real = dir.toRealPath();
            return real.startsWith(root.toRealPath()) ? Optional.empty() : Optional.of(real);
        } catch (IOException e) {
            return Optional.of(dir);
        }
    }

    private static void trial(OnnxClassifier candidate) {
        List<Classification> results = candidate.classify(TRIAL_TEXTS);
        if (results.size() != TRIAL_TEXTS.size()) {
            throw new IllegalStateException(results.size() + " results for " + TRIAL_TEXTS.size() + " texts");
        }
        for (Classification result : results) {
            if (!Float.isFinite(result.confidence())) {
                throw new IllegalStateException("a probability is " + result.confidence());
            }
        }
    }

    private Result refused(Outcome outcome, ModelConfig serving, Path dir, String reason, String purpose) {
        metrics.refused();
        LOG.warnf("Model %s refused, %s %s keeps serving: %s", purpose, serving.name(), serving.version(), reason);
        return new Result(outcome, reason, serving, null, dir);
    }
}
