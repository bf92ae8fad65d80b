/*
 * Evaluation and throughput bench for an exported model with ONNX Runtime Java and DJL's
 * HuggingFaceTokenizer: the same stack as the service. Single-file program:
 *
 *   java -cp "$(cat onnx/build/bench.classpath)" onnx/tooling/OrtBench.java \
 *       --model-dir DIR --texts texts.json --out result.json [--batch 32] [--threads 2] [--mode eval|tokens]
 *       [--timed-passes 1] [--timed-texts N] [--chunk 0] [--concurrent 1] [--allow-spinning true]
 *
 * texts.json: {"texts": [...], "labels": [...]} (labels optional). The model dir holds model.onnx,
 * tokenizer.json and config.json (max_length is read from it; --max-length overrides).
 * mode eval: logits for every text (batches of --batch, padded to the longest of each batch),
 *   accuracy, macro-F1 and confusion matrix when labels are given, then --timed-passes timed passes
 *   over the first --timed-texts texts for throughput (tokenization + inference; the evaluation pass
 *   is the warm-up); the summary gives the median pass and every pass.
 *   --chunk N scores each batch as the service's OnnxClassifier does instead: its texts sorted by
 *   token count, cut into chunks of N, each chunk padded to its own longest text and run as one call;
 *   --concurrent K runs K chunks of a batch at a time, each call on --threads intra-op threads.
 *   --allow-spinning lets ONNX Runtime's intra-op threads spin-wait between operators, as the service's
 *   do by default (news.inference.allow-spinning=true); false makes them sleep.
 * mode tokens: writes DJL's token ids for every text (the tokenizer-equality check).
 * mode hidden: runs a base encoder (model.onnx with output last_hidden_state) on all texts as one
 *   padded batch and writes the ids, the mask and the hidden states (the encoder-parity check).
 * mode matmul: times the one-MatMul graph of compute.py (x [--rows, k] times a weight [k, n]) and
 *   reports GFLOP/s: the most this CPU's matrix kernels give, the ceiling for a model's throughput.
 *   No texts, tokenizer or config.json; a timed pass runs at least --repeats products and
 *   --min-pass-seconds (default 0.25).
 */

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.io.Reader;
import java.io.Writer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

public class OrtBench {

    private static final int CONFIDENCE_BINS = 10;

    record Batch(long[][] ids, long[][] mask) {}

    /**
     * How a batch reaches the session: chunkSize 0 is one call padded to the batch's longest text (how
     * every rung of the ladder is measured); otherwise the service's way, length-sorted chunks of
     * chunkSize texts, concurrentChunks of them running at a time.
     */
    record Serving(int chunkSize, int concurrentChunks) {
        Serving {
            // One padded call per batch leaves nothing to run side by side.
            concurrentChunks = chunkSize <= 0 ? 1 : Math.max(1, concurrentChunks);
        }

        boolean padded() {
            return chunkSize <= 0;
        }
    }

    /** Logits of a batch in the order of its texts, and how many token positions the calls ran. */
    record Scored(float[][] logits, long positions) {}

    record Timing(double seconds, double cpuSeconds) {}

    interface Work {
        void run() throws Exception;
    }

    /** Wall-clock and process CPU seconds of the work. */
    static Timing timed(Work work) throws Exception {
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpuStart = os.getProcessCpuTime();
        long start = System.nanoTime();
        work.run();
        return new Timing((System.nanoTime() - start) / 1e9, (os.getProcessCpuTime() - cpuStart) / 1e9);
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Path modelDir = Path.of(opt.get("model-dir"));
        int threads = Integer.parseInt(opt.getOrDefault("threads", "2"));
        boolean allowSpinning = Boolean.parseBoolean(opt.getOrDefault("allow-spinning", "true"));
        String mode = opt.getOrDefault("mode", "eval");
        if (mode.equals("matmul")) {
            Map<String, Object> summary = matmul(modelDir.resolve("model.onnx"), threads, allowSpinning,
                    Integer.parseInt(opt.getOrDefault("rows", "3072")),
                    Integer.parseInt(opt.getOrDefault("repeats", "10")),
                    Double.parseDouble(opt.getOrDefault("min-pass-seconds", "0.25")),
                    Integer.parseInt(opt.getOrDefault("timed-passes", "3")));
            write(Map.of("summary", summary), Path.of(opt.get("out")));
            System.out.println(new Gson().toJson(summary));
            return;
        }
        Gson gson = new GsonBuilder().create();
        JsonObject input;
        try (Reader r = Files.newBufferedReader(Path.of(opt.get("texts")))) {
            input = gson.fromJson(r, JsonObject.class);
        }
        List<String> texts = new ArrayList<>();
        input.getAsJsonArray("texts").forEach(e -> texts.add(e.getAsString()));
        int[] labels = null;
        if (input.has("labels")) {
            labels = gson.fromJson(input.get("labels"), int[].class);
        }
        int maxLength = Integer.parseInt(opt.getOrDefault("max-length", "-1"));
        if (maxLength < 0) {
            try (Reader r = Files.newBufferedReader(modelDir.resolve("config.json"))) {
                maxLength = gson.fromJson(r, JsonObject.class).get("max_length").getAsInt();
            }
        }
        int batchSize = Integer.parseInt(opt.getOrDefault("batch", "32"));

        Map<String, Object> result = new LinkedHashMap<>();
        try (HuggingFaceTokenizer tokenizer = tokenizer(modelDir.resolve("tokenizer.json"), maxLength)) {
            if (mode.equals("tokens")) {
                List<long[]> ids = new ArrayList<>();
                for (String t : texts) {
                    ids.add(tokenizer.encode(t).getIds());
                }
                result.put("token_ids", ids);
            } else if (mode.equals("hidden")) {
                Batch batch = tokenize(tokenizer, texts);
                result.put("input_ids", batch.ids());
                result.put("attention_mask", batch.mask());
                result.put("last_hidden_state", hidden(modelDir.resolve("model.onnx"), batch, threads));
            } else {
                int timedTexts = Math.min(texts.size(), Integer.parseInt(opt.getOrDefault("timed-texts", "" + texts.size())));
                Serving serving = new Serving(Integer.parseInt(opt.getOrDefault("chunk", "0")),
                        Integer.parseInt(opt.getOrDefault("concurrent", "1")));
                evaluate(modelDir.resolve(opt.getOrDefault("model-file", "model.onnx")), tokenizer, texts, labels,
                        batchSize, threads, allowSpinning, serving, Integer.parseInt(opt.getOrDefault("timed-passes", "1")),
                        timedTexts, result);
            }
        }
        result.put("max_length", maxLength);
        write(result, Path.of(opt.get("out")));
        System.out.println(new GsonBuilder().serializeSpecialFloatingPointValues().create()
                .toJson(result.getOrDefault("summary", Map.of("texts", texts.size()))));
    }

    static void write(Map<String, Object> result, Path out) throws IOException {
        // A pass over a few texts of a tiny model can take less CPU time than the clock resolves: its
        // rate is written as Infinity (which Python's json reads) rather than failing the whole bench.
        try (Writer w = Files.newBufferedWriter(out)) {
            new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(result, w);
        }
    }

    static OrtSession.SessionOptions benchOptions(int threads, boolean allowSpinning) throws Exception {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        so.setIntraOpNumThreads(threads);
        so.setInterOpNumThreads(1);
        // Threads that sleep between operators pay a wake-up at each of a model's few hundred nodes:
        // with 2 intra-op threads on this VM, length-sorted chunks of 8 ran 18-21% slower that way.
        // Spinning threads count their waiting as CPU time: the per-CPU-second figure drops.
        so.addConfigEntry("session.intra_op.allow_spinning", allowSpinning ? "1" : "0");
        // As the service's OnnxClassifier: the masked attention scores' denormals are flushed to zero.
        so.addConfigEntry("session.set_denormal_as_zero", "1");
        so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        return so;
    }

    /** GFLOP/s of x [rows, k] times the graph's weight [k, n], with the session settings of the model bench. */
    static Map<String, Object> matmul(Path model, int threads, boolean allowSpinning, int rows, int repeats,
                                      double minPassSeconds, int timedPasses) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = benchOptions(threads, allowSpinning);
             OrtSession session = env.createSession(model.toString(), so)) {
            String input = session.getInputNames().iterator().next();
            long k = ((TensorInfo) session.getInputInfo().get(input).getInfo()).getShape()[1];
            long n = ((TensorInfo) session.getOutputInfo().values().iterator().next().getInfo()).getShape()[1];
            float[] x = new float[(int) (rows * k)];
            Random random = new Random(0);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
            }
            double flopPerRun = 2.0 * rows * k * n;
            try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {rows, k})) {
                Map<String, OnnxTensor> feeds = Map.of(input, tensor);
                for (int warmUp = 0; warmUp < 3; warmUp++) {
                    session.run(feeds).close();
                }
                double[] wallRates = new double[timedPasses];
                double[] cpuRates = new double[timedPasses];
                List<Map<String, Object>> passes = new ArrayList<>();
                for (int p = 0; p < timedPasses; p++) {
                    int[] runs = {0};
                    // Process CPU time ticks in steps of milliseconds: a pass lasts long enough to read it.
                    Timing timing = timed(() -> {
                        long start = System.nanoTime();
                        while (runs[0] < repeats || System.nanoTime() - start < minPassSeconds * 1e9) {
                            session.run(feeds).close();
                            runs[0]++;
                        }
                    });
                    wallRates[p] = flopPerRun * runs[0] / timing.seconds() / 1e9;
                    cpuRates[p] = flopPerRun * runs[0] / (timing.cpuSeconds() / threads) / 1e9;
                    passes.add(Map.of("products", runs[0], "gflops", wallRates[p],
                            "gflops_per_cpu_second_times_threads", cpuRates[p]));
                }
                Map<String, Object> summary = new LinkedHashMap<>();
                summary.put("rows", rows);
                summary.put("k", k);
                summary.put("n", n);
                summary.put("intra_op_threads", threads);
                summary.put("allow_spinning", allowSpinning);
                summary.put("min_products_per_pass", repeats);
                summary.put("min_pass_seconds", minPassSeconds);
                summary.put("gflop_per_run", flopPerRun / 1e9);
                summary.put("gflops", median(wallRates));
                summary.put("gflops_best", Arrays.stream(wallRates).max().orElseThrow());
                summary.put("gflops_per_cpu_second_times_threads", median(cpuRates));
                summary.put("passes", passes);
                return summary;
            }
        }
    }

    /** Truncation to max_length and padding to the longest text of each batch (not to a fixed length). */
    static HuggingFaceTokenizer tokenizer(Path tokenizerJson, int maxLength) throws IOException {
        return HuggingFaceTokenizer.builder()
                .optTokenizerPath(tokenizerJson)
                .optMaxLength(maxLength)
                .optTruncation(true)
                .optPadding(true)
                .build();
    }

    static Batch tokenize(HuggingFaceTokenizer tokenizer, List<String> texts) {
        Encoding[] enc = tokenizer.batchEncode(texts);
        long[][] ids = new long[enc.length][];
        long[][] mask = new long[enc.length][];
        for (int i = 0; i < enc.length; i++) {
            ids[i] = enc[i].getIds();
            mask[i] = enc[i].getAttentionMask();
        }
        return new Batch(ids, mask);
    }

    static float[][][] hidden(Path model, Batch batch, int threads) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(threads);
            try (OrtSession session = env.createSession(model.toString(), so)) {
                return (float[][][]) run(env, session, batch);
            }
        }
    }

    static float[][] logits(OrtEnvironment env, OrtSession session, Batch batch) throws Exception {
        return (float[][]) run(env, session, batch);
    }

    /** The first output of the model for a batch: logits of a classifier, hidden states of an encoder. */
    static Object run(OrtEnvironment env, OrtSession session, Batch batch) throws Exception {
        int n = batch.ids().length;
        int len = batch.ids()[0].length;
        long[] shape = {n, len};
        Map<String, OnnxTensor> feeds = new HashMap<>();
        try {
            feeds.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(flatten(batch.ids())), shape));
            feeds.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(flatten(batch.mask())), shape));
            if (session.getInputNames().contains("token_type_ids")) {
                feeds.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[n * len]), shape));
            }
            try (OrtSession.Result out = session.run(feeds)) {
                return out.get(0).getValue();
            }
        } finally {
            feeds.values().forEach(OnnxTensor::close);
        }
    }

    static long[] flatten(long[][] rows) {
        long[] flat = new long[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * rows[0].length, rows[0].length);
        }
        return flat;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    static void evaluate(Path model, HuggingFaceTokenizer tokenizer, List<String> texts, int[] labels,
                         int batchSize, int threads, boolean allowSpinning, Serving serving, int timedPasses,
                         int timedTexts, Map<String, Object> result) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        ExecutorService chunkRunner = serving.concurrentChunks() > 1
                ? Executors.newFixedThreadPool(serving.concurrentChunks()) : null;
        try (OrtSession.SessionOptions so = benchOptions(threads, allowSpinning);
             OrtSession session = env.createSession(model.toString(), so)) {
            List<float[]> logits = new ArrayList<>();
            long positions = 0;
            for (int s = 0; s < texts.size(); s += batchSize) {
                Scored scored = score(env, session, tokenizer, texts.subList(s, Math.min(texts.size(), s + batchSize)),
                        serving, chunkRunner);
                positions += scored.positions();
                logits.addAll(Arrays.asList(scored.logits()));
            }
            // Warm-up is the pass above; each timed pass measures tokenization + inference over the
            // first timedTexts texts. CPU time is measured too: on a machine shared with other jobs,
            // texts per (CPU seconds / threads in use) estimates what the same threads do undisturbed.
            // The summary takes the median pass: on this VM single passes of the same model differ by
            // 10% or more.
            int threadsInUse = threads * serving.concurrentChunks();
            double seconds = 0;
            double cpuSeconds = 0;
            double[] wallRates = new double[timedPasses];
            double[] cpuRates = new double[timedPasses];
            List<Map<String, Object>> passes = new ArrayList<>();
            for (int p = 0; p < timedPasses; p++) {
                Timing timing = timed(() -> {
                    for (int s = 0; s < timedTexts; s += batchSize) {
                        score(env, session, tokenizer, texts.subList(s, Math.min(timedTexts, s + batchSize)), serving,
                                chunkRunner);
                    }
                });
                seconds += timing.seconds();
                cpuSeconds += timing.cpuSeconds();
                wallRates[p] = timedTexts / timing.seconds();
                cpuRates[p] = timedTexts / (timing.cpuSeconds() / threadsInUse);
                passes.add(Map.of("articles_per_second", wallRates[p],
                        "articles_per_cpu_second_times_threads", cpuRates[p]));
            }
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("model", model.toString());
            summary.put("model_mb", Files.size(model) / 1e6);
            summary.put("texts", texts.size());
            summary.put("batch_size", batchSize);
            summary.put("intra_op_threads", threads);
            summary.put("allow_spinning", allowSpinning);
            summary.put("chunk_size", serving.padded() ? batchSize : serving.chunkSize());
            summary.put("concurrent_chunks", serving.concurrentChunks());
            summary.put("length_sorted", !serving.padded());
            summary.put("timed_texts", timedTexts);
            summary.put("timed_passes", timedPasses);
            summary.put("articles_per_second", median(wallRates));
            summary.put("articles_per_cpu_second_times_threads", median(cpuRates));
            summary.put("timed_seconds", seconds);
            summary.put("cpu_seconds", cpuSeconds);
            summary.put("passes", passes);
            summary.put("mean_padded_length", (double) positions / texts.size());
            if (labels != null) {
                metrics(logits, labels, summary);
            }
            result.put("summary", summary);
            result.put("logits", logits);
        } finally {
            if (chunkRunner != null) {
                chunkRunner.shutdownNow();
            }
        }
    }

    static Scored score(OrtEnvironment env, OrtSession session, HuggingFaceTokenizer tokenizer, List<String> texts,
                        Serving serving, ExecutorService chunkRunner) throws Exception {
        Batch batch = tokenize(tokenizer, texts);
        if (serving.padded()) {
            return new Scored(logits(env, session, batch), (long) batch.ids().length * batch.ids()[0].length);
        }
        int[] lengths = new int[texts.size()];
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = (int) Arrays.stream(batch.mask()[i]).sum();
        }
        Integer[] order = new Integer[lengths.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Integer.compare(lengths[a], lengths[b]));
        float[][] logits = new float[texts.size()][];
        List<Work> chunks = new ArrayList<>();
        long positions = 0;
        for (int start = 0; start < order.length; start += serving.chunkSize()) {
            int first = start;
            int end = Math.min(order.length, start + serving.chunkSize());
            int columns = lengths[order[end - 1]];
            positions += (long) (end - first) * columns;
            chunks.add(() -> {
                long[][] ids = new long[end - first][columns];
                long[][] mask = new long[end - first][columns];
                for (int k = first; k < end; k++) {
                    System.arraycopy(batch.ids()[order[k]], 0, ids[k - first], 0, lengths[order[k]]);
                    Arrays.fill(mask[k - first], 0, lengths[order[k]], 1L);
                }
                float[][] chunkLogits = logits(env, session, new Batch(ids, mask));
                for (int k = first; k < end; k++) {
                    logits[order[k]] = chunkLogits[k - first];
                }
            });
        }
        if (chunkRunner == null) {
            for (Work chunk : chunks) {
                chunk.run();
            }
        } else {
            // Longest chunks first, as the service submits them.
            List<Future<?>> pending = new ArrayList<>();
            for (int i = chunks.size() - 1; i >= 0; i--) {
                Work chunk = chunks.get(i);
                pending.add(chunkRunner.submit(() -> {
                    chunk.run();
                    return null;
                }));
            }
            for (Future<?> chunk : pending) {
                chunk.get();
            }
        }
        return new Scored(logits, positions);
    }

    static void metrics(List<float[]> logits, int[] labels, Map<String, Object> summary) {
        int k = logits.get(0).length;
        int[][] cm = new int[k][k];
        int[] confidence = new int[CONFIDENCE_BINS];
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            float[] row = logits.get(i);
            int best = 0;
            for (int c = 1; c < k; c++) {
                if (row[c] > row[best]) {
                    best = c;
                }
            }
            double sum = 0;
            for (int c = 0; c < k; c++) {
                sum += Math.exp(row[c] - row[best]);
            }
            confidence[Math.min(CONFIDENCE_BINS - 1, (int) (CONFIDENCE_BINS / sum))]++;
            cm[labels[i]][best]++;
            correct += best == labels[i] ? 1 : 0;
        }
        double f1Sum = 0;
        for (int c = 0; c < k; c++) {
            int predicted = 0;
            int actual = 0;
            for (int j = 0; j < k; j++) {
                predicted += cm[j][c];
                actual += cm[c][j];
            }
            double precision = predicted == 0 ? 0 : (double) cm[c][c] / predicted;
            double recall = actual == 0 ? 0 : (double) cm[c][c] / actual;
            f1Sum += precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        }
        summary.put("accuracy", (double) correct / labels.length);
        summary.put("macro_f1", f1Sum / k);
        summary.put("confusion_matrix", cm);
        // The top probability's histogram in tenths, [0, 0.1) to [0.9, 1]: the reference the service's drift
        // signal compares recent traffic with.
        summary.put("confidence_histogram", confidence);
    }
}
