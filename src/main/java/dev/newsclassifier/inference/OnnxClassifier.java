package dev.newsclassifier.inference;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * A {@link Classifier} backed by one ONNX Runtime session and one DJL HuggingFace tokenizer,
 * both opened once and shared by every stream thread ({@link OrtSession#run} is thread-safe).
 *
 * <p>A batch is tokenized without padding, sorted by token count and cut into chunks of at most
 * {@link InferenceOptions#chunkSize()} texts; each chunk is padded to its own longest text. News
 * texts vary from a headline to a long lead, and the encoder's cost grows with the padded
 * length, so this keeps most of the work on real tokens. With {@link
 * InferenceOptions#concurrentChunks()} above one, the chunks of a batch run at the same time, each
 * on its own thread of a pool this classifier owns: small single-threaded runs keep their
 * activations in a core's cache and need no hand-off between threads inside an operator, which on a
 * 2-core Xeon made the default model about 20% faster than the same batches run one chunk at a time
 * on two intra-op threads.
 */
public final class OnnxClassifier implements Classifier, AutoCloseable {

    public static final String MODEL_FILE = "model.onnx";
    public static final String TOKENIZER_FILE = "tokenizer.json";
    static final String INPUT_IDS = "input_ids";
    static final String ATTENTION_MASK = "attention_mask";
    static final String TOKEN_TYPE_IDS = "token_type_ids";
    static final String LOGITS = "logits";
    static final String FLUSH_DENORMALS = "session.set_denormal_as_zero";
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);
    /** Masked positions never reach a real token's output, so any id works; 0 is BERT's [PAD]. */
    private static final long PAD_ID = 0;

    private static final Logger LOG = Logger.getLogger(OnnxClassifier.class);

    private final ModelConfig model;
    private final HuggingFaceTokenizer tokenizer;
    private final OrtEnvironment environment;
    private final OrtSession session;
    private final boolean feedsTokenTypes;
    private final int chunkSize;
    private final InferenceOptions.Device device;
    private final int concurrentChunks;
    /** Runs the chunks of a batch concurrently; null runs them one by one on the caller's thread. */
    private final ExecutorService chunkRunner;
    private final AtomicBoolean closed = new AtomicBoolean();

    private OnnxClassifier(ModelConfig model, HuggingFaceTokenizer tokenizer, OrtEnvironment environment,
            OrtSession session, InferenceOptions options, InferenceOptions.Device device) throws OrtException {
        this.model = model;
        this.tokenizer = tokenizer;
        this.environment = environment;
        this.session = session;
        this.feedsTokenTypes = session.getInputNames().contains(TOKEN_TYPE_IDS);
        this.chunkSize = options.chunkSize();
        this.device = device;
        this.concurrentChunks = options.concurrentChunks(device, Runtime.getRuntime().availableProcessors());
        this.chunkRunner = concurrentChunks > 1 ? Executors.newFixedThreadPool(concurrentChunks, chunkThreads()) : null;
    }

    private static ThreadFactory chunkThreads() {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "onnx-chunk-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * Opens the model folder ({@code model.onnx}, {@code tokenizer.json}, {@code config.json})
     * and checks that the model matches its config, so a broken deployment fails at start-up
     * with one message naming the path and the problem, never on the first article.
     */
    public static OnnxClassifier load(Path modelDir, InferenceOptions options) {
        if (!Files.isDirectory(modelDir)) {
            throw new ModelLoadException(modelDir, "model folder not found");
        }
        ModelConfig config = ModelConfig.read(modelDir.resolve(ModelConfig.FILE_NAME));
        Path modelFile = modelDir.resolve(MODEL_FILE);
        Path tokenizerFile = modelDir.resolve(TOKENIZER_FILE);
        for (Path file : List.of(modelFile, tokenizerFile)) {
            if (!Files.isRegularFile(file)) {
                throw new ModelLoadException(file, "file not found");
            }
        }
        HuggingFaceTokenizer tokenizer = openTokenizer(tokenizerFile, config.maxLength());
        OrtEnvironment environment = RuntimeEnvironment.get();
        OrtSession session = null;
        try {
            InferenceOptions.Device device = options.device();
            try (OrtSession.SessionOptions sessionOptions = new OrtSession.SessionOptions()) {
                configure(sessionOptions, options);
                device = selectDevice(sessionOptions, options);
                session = environment.createSession(modelFile.toString(), sessionOptions);
            } catch (OrtException e) {
                throw new ModelLoadException(modelFile, "not a loadable ONNX model (" + e.getMessage() + ")", e);
            }
            checkSignature(modelFile, session);
            OnnxClassifier classifier = new OnnxClassifier(config, tokenizer, environment, session, options, device);
            classifier.checkLabelCount(modelFile);
            LOG.infof("Loaded model %s %s from %s on %s: inputs %s, output %s, labels %s, max length %d",
                    config.name(), config.version(), modelDir, device, session.getInputNames(),
                    session.getOutputNames(), config.labels(), config.maxLength());
            return classifier;
        } catch (OrtException | RuntimeException e) {
            closeQuietly(session, tokenizer);
            if (e instanceof ModelLoadException loadException) {
                throw loadException;
            }
            throw new ModelLoadException(modelFile, e.getMessage(), e);
        }
    }

    static void configure(OrtSession.SessionOptions sessionOptions, InferenceOptions options) throws OrtException {
        sessionOptions.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        sessionOptions.setIntraOpNumThreads(options.intraOpThreads());
        sessionOptions.addConfigEntry("session.intra_op.allow_spinning", options.allowSpinning() ? "1" : "0");
        // Padding is masked by adding the most negative float to its attention scores, and the
        // softmax's exponentials of those scores pass through denormal numbers, which x86 CPUs
        // compute in slow microcode: flushing them to zero made a batch of 32 texts' softmax 3.5x
        // faster and the default model 10% faster. Nothing a label depends on is that small.
        sessionOptions.addConfigEntry(FLUSH_DENORMALS, "1");
    }

    static HuggingFaceTokenizer openTokenizer(Path tokenizerFile, int maxLength) {
        try {
            // Padding is off here on purpose: classify() pads each length-sorted chunk itself.
            return HuggingFaceTokenizer.builder()
                    .optTokenizerPath(tokenizerFile)
                    .optMaxLength(maxLength)
                    .optTruncation(true)
                    .optPadding(false)
                    .optAddSpecialTokens(true)
                    .build();
        } catch (IOException | RuntimeException e) {
            throw new ModelLoadException(tokenizerFile, "not a valid HuggingFace tokenizer (" + e.getMessage() + ")", e);
        }
    }

    private static InferenceOptions.Device selectDevice(OrtSession.SessionOptions sessionOptions,
            InferenceOptions options) {
        if (options.device() != InferenceOptions.Device.CUDA) {
            return InferenceOptions.Device.CPU;
        }
        try {
            sessionOptions.addCUDA(options.cudaDeviceId());
            return InferenceOptions.Device.CUDA;
        } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
            String missing = "the CUDA execution provider is not available (" + e.getMessage() + "); it needs the "
                    + "onnxruntime_gpu build (mvn -Ponnxruntime_gpu), CUDA 12 and cuDNN 9 libraries and a visible GPU";
            if (!options.fallbackToCpu()) {
                throw new IllegalStateException("device=cuda was requested but " + missing
                        + ". Set news.inference.fallback-to-cpu=true to run on the CPU instead.", e);
            }
            LOG.warnf("device=cuda was requested but %s; falling back to the CPU as configured", missing);
            return InferenceOptions.Device.CPU;
        }
    }

    private static void checkSignature(Path modelFile, OrtSession session) throws OrtException {
        Map<String, NodeInfo> inputs = session.getInputInfo();
        for (String input : List.of(INPUT_IDS, ATTENTION_MASK)) {
            if (!inputs.containsKey(input)) {
                throw new ModelLoadException(modelFile, "model has no input '" + input + "' (inputs: " + inputs.keySet() + ")");
            }
        }
        for (String input : inputs.keySet()) {
            if (!List.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS).contains(input)) {
                throw new ModelLoadException(modelFile, "model expects an unknown input '" + input + "'");
            }
        }
        NodeInfo logits = session.getOutputInfo().get(LOGITS);
        if (logits == null) {
            throw new ModelLoadException(modelFile, "model has no output '" + LOGITS + "' (outputs: "
                    + session.getOutputNames() + ")");
        }
        if (!(logits.getInfo() instanceof TensorInfo tensor) || tensor.getShape().length != 2) {
            throw new ModelLoadException(modelFile, "output '" + LOGITS + "' must be a [batch, labels] tensor, got "
                    + logits.getInfo());
        }
    }

    /** The output width is only certain once the model has run, so one probe text settles it. */
    private void checkLabelCount(Path modelFile) {
        int width = runChunk(List.of(tokenizer.encode("label count probe")))[0].length;
        if (width != model.numLabels()) {
            throw new ModelLoadException(modelFile, "model outputs " + width + " logits but config.json has "
                    + model.numLabels() + " labels " + model.labels());
        }
    }

    @Override
    public ModelConfig model() {
        return model;
    }

    public InferenceOptions.Device device() {
        return device;
    }

    /** How many chunks of a batch run at the same time, {@link InferenceOptions#concurrentChunks()} resolved. */
    public int concurrentChunks() {
        return concurrentChunks;
    }

    @Override
    public List<Classification> classify(List<String> texts) {
        if (texts.isEmpty()) {
            return List.of();
        }
        Encoding[] encodings = tokenizer.batchEncode(texts);
        Integer[] order = new Integer[encodings.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingInt(i -> encodings[i].getIds().length));
        Classification[] results = new Classification[encodings.length];
        List<Runnable> chunks = new ArrayList<>();
        for (int start = 0; start < order.length; start += chunkSize) {
            int first = start;
            int end = Math.min(order.length, start + chunkSize);
            chunks.add(() -> {
                List<Encoding> chunk = new ArrayList<>(end - first);
                for (int k = first; k < end; k++) {
                    chunk.add(encodings[order[k]]);
                }
                float[][] logits = runChunk(chunk);
                for (int k = first; k < end; k++) {
                    results[order[k]] = Classification.fromLogits(logits[k - first], encodings[order[k]].exceedMaxLength());
                }
            });
        }
        if (chunkRunner == null || chunks.size() == 1) {
            chunks.forEach(Runnable::run);
        } else {
            runConcurrently(chunks);
        }
        return List.of(results);
    }

    private void runConcurrently(List<Runnable> chunks) {
        // Longest chunks first, so that no long one is left running alone at the end of the batch.
        List<Future<?>> pending = new ArrayList<>(chunks.size());
        for (int i = chunks.size() - 1; i >= 0; i--) {
            pending.add(chunkRunner.submit(chunks.get(i)));
        }
        try {
            for (Future<?> chunk : pending) {
                chunk.get();
            }
        } catch (InterruptedException e) {
            pending.forEach(chunk -> chunk.cancel(true));
            Thread.currentThread().interrupt();
            throw new InferenceException("interrupted while classifying a batch", e);
        } catch (ExecutionException e) {
            pending.forEach(chunk -> chunk.cancel(true));
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new InferenceException("classifying a chunk failed: " + e.getCause(), e.getCause());
        }
    }

    private float[][] runChunk(List<Encoding> chunk) {
        Map<String, OnnxTensor> inputs = Map.of();
        try {
            inputs = inputTensors(environment, chunk, feedsTokenTypes);
            try (OrtSession.Result result = session.run(inputs, java.util.Set.of(LOGITS))) {
                return (float[][]) result.get(0).getValue();
            }
        } catch (OrtException e) {
            int columns = chunk.stream().mapToInt(encoding -> encoding.getIds().length).max().orElse(0);
            throw new InferenceException("ONNX Runtime failed on a chunk of " + chunk.size() + " texts of up to "
                    + columns + " tokens: " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    /**
     * The model's inputs for a chunk of encoded texts, padded to the chunk's longest; the caller closes them.
     *
     * @param tokenTypes whether the model takes {@code token_type_ids} (all 0)
     */
    static Map<String, OnnxTensor> inputTensors(OrtEnvironment environment, List<Encoding> chunk, boolean tokenTypes)
            throws OrtException {
        int rows = chunk.size();
        int columns = chunk.stream().mapToInt(e -> e.getIds().length).max().orElse(0);
        long[] ids = new long[rows * columns];
        long[] mask = new long[rows * columns];
        Arrays.fill(ids, PAD_ID);
        for (int row = 0; row < rows; row++) {
            long[] tokenIds = chunk.get(row).getIds();
            System.arraycopy(tokenIds, 0, ids, row * columns, tokenIds.length);
            Arrays.fill(mask, row * columns, row * columns + tokenIds.length, 1L);
        }
        long[] shape = {rows, columns};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put(INPUT_IDS, OnnxTensor.createTensor(environment, LongBuffer.wrap(ids), shape));
            inputs.put(ATTENTION_MASK, OnnxTensor.createTensor(environment, LongBuffer.wrap(mask), shape));
            if (tokenTypes) {
                inputs.put(TOKEN_TYPE_IDS, OnnxTensor.createTensor(environment, LongBuffer.wrap(new long[rows * columns]), shape));
            }
            return inputs;
        } catch (OrtException | RuntimeException e) {
            inputs.values().forEach(OnnxTensor::close);
            throw e;
        }
    }

    /** Closes the session once; a swapped-out model is closed by the swap, and again by whoever opened it. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (chunkRunner != null) {
            chunkRunner.shutdownNow();
            try {
                // A run in progress cannot be interrupted, and its session must outlive it.
                if (!chunkRunner.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warnf("A chunk was still running %s after close; closing the session anyway", CLOSE_WAIT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeQuietly(session, tokenizer);
    }

    static void closeQuietly(OrtSession session, HuggingFaceTokenizer tokenizer) {
        if (session != null) {
            try {
                session.close();
            } catch (OrtException e) {
                LOG.warn("Closing the ONNX Runtime session failed", e);
            }
        }
        tokenizer.close();
    }
}
