package dev.newsclassifier.modeltooling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.newsclassifier.inference.Classification;
import dev.newsclassifier.inference.InferenceOptions;
import dev.newsclassifier.inference.OnnxClassifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs the model card's bench program (onnx/tooling/OrtBench.java) on the shipped default model, the
 * way reproduce.py does, and holds its figures against the service's own classifier: the card's
 * accuracy and throughput are only worth quoting if the bench scores texts exactly as the service does.
 * Its matrix-product mode, which gives the card's ceiling in GFLOP/s, is checked on a small graph.
 */
class OrtBenchTest {

    private static final Path MODEL_DIR = Path.of("onnx", "models", "default");
    private static final Path BENCH = PythonTooling.TOOLING.resolve("OrtBench.java");
    private static final Path WORK = PythonTooling.WORK.resolve("ort-bench");

    /** Short and long texts written for this test (not from AG News), so batches need padding. */
    private static final List<String> TEXTS = List.of(
            "Ceasefire holds in the north as envoys draft a settlement",
            "Goalkeeper saves two penalties to send the champions through to the semi-finals after a tense "
                    + "shoot-out that followed a goalless draw in front of a sell-out crowd",
            "Carmaker cuts profit forecast as sales slow in Europe",
            "Researchers build a battery that charges in five minutes",
            "Parliament approves new election law after months of protests in the capital, where opposition "
                    + "parties had demanded changes to how seats are shared between regions",
            "Veteran batsman retires from test cricket",
            "Airline shares jump on news of a merger with a budget rival",
            "Software update fixes a flaw that let hackers read private messages");
    private static final List<Integer> LABELS = List.of(0, 1, 2, 3, 0, 1, 2, 3);
    private static final int BATCH = 3;
    private static final int TIMED_PASSES = 2;

    private static JsonNode evaluation;
    private static List<Classification> service;

    @BeforeAll
    static void runBenchInEvalMode() throws Exception {
        Files.createDirectories(WORK);
        Path texts = WORK.resolve("texts.json");
        new ObjectMapper().writeValue(texts.toFile(), Map.of("texts", TEXTS, "labels", LABELS));
        evaluation = benchDefaultModel("eval", texts, "--batch", String.valueOf(BATCH), "--threads", "2",
                "--timed-passes", String.valueOf(TIMED_PASSES), "--timed-texts", String.valueOf(TEXTS.size()));
        try (OnnxClassifier classifier = OnnxClassifier.load(MODEL_DIR, InferenceOptions.cpu(2))) {
            service = classifier.classify(TEXTS);
        }
    }

    @Test
    void shouldScoreEveryTextAsTheServiceDoes() {

        JsonNode logits = evaluation.get("logits");
        assertThat(logits).hasSize(TEXTS.size());
        for (int i = 0; i < TEXTS.size(); i++) {
            assertThat(softmax(logits.get(i))).as("probabilities of text %d", i)
                    .containsExactly(service.get(i).probabilities(), within(1e-4f));
        }
    }

    @Test
    void shouldReportAccuracyConfusionMatrixAndConfidenceHistogramOfItsOwnPredictions() {
        int[][] expectedMatrix = new int[4][4];
        int[] expectedHistogram = new int[10];
        int correct = 0;
        for (int i = 0; i < TEXTS.size(); i++) {
            int predicted = service.get(i).labelIndex();
            expectedMatrix[LABELS.get(i)][predicted]++;
            expectedHistogram[Math.min(9, (int) (service.get(i).confidence() * 10))]++;
            correct += predicted == LABELS.get(i) ? 1 : 0;
        }

        JsonNode summary = evaluation.get("summary");
        assertThat(summary.get("accuracy").asDouble()).isEqualTo((double) correct / TEXTS.size());
        assertThat(new ObjectMapper().convertValue(summary.get("confusion_matrix"), int[][].class))
                .isDeepEqualTo(expectedMatrix);
        assertThat(summary.get("macro_f1").asDouble()).isBetween(0.0, 1.0);
        assertThat(new ObjectMapper().convertValue(summary.get("confidence_histogram"), int[].class))
                .isEqualTo(expectedHistogram);
    }

    @Test
    void shouldReportTheMedianOfItsTimedPasses() {
        JsonNode summary = evaluation.get("summary");
        assertThat(summary.get("batch_size").asInt()).isEqualTo(BATCH);
        assertThat(summary.get("intra_op_threads").asInt()).isEqualTo(2);
        assertThat(summary.get("allow_spinning").asBoolean()).as("as the service's threads, by default").isTrue();
        assertThat(summary.get("timed_texts").asInt()).isEqualTo(TEXTS.size());

        JsonNode passes = summary.get("passes");
        assertThat(passes).hasSize(TIMED_PASSES);
        double[] rates = new double[TIMED_PASSES];
        for (int p = 0; p < TIMED_PASSES; p++) {
            rates[p] = passes.get(p).get("articles_per_second").asDouble();
            assertThat(rates[p]).isPositive();
            assertThat(passes.get(p).get("articles_per_cpu_second_times_threads").asDouble()).isPositive();
        }
        assertThat(summary.get("articles_per_second").asDouble())
                .as("the median of two passes is their mean").isCloseTo((rates[0] + rates[1]) / 2, within(1e-6));
        assertThat(summary.get("mean_padded_length").asDouble())
                .as("each batch is padded to its longest text, never beyond max_length")
                .isBetween(1.0, evaluation.get("max_length").asDouble());
    }

    @Test
    void shouldScoreLengthSortedConcurrentChunksAsTheServiceDoes() throws Exception {
        Path texts = WORK.resolve("texts.json");

        JsonNode served = benchDefaultModel("eval", texts, "--batch", String.valueOf(TEXTS.size()), "--threads", "1",
                "--chunk", "2", "--concurrent", "2", "--timed-passes", "1");

        JsonNode logits = served.get("logits");
        assertThat(logits).hasSize(TEXTS.size());
        for (int i = 0; i < TEXTS.size(); i++) {
            assertThat(softmax(logits.get(i))).as("probabilities of text %d, back in input order", i)
                    .containsExactly(service.get(i).probabilities(), within(1e-4f));
        }
        JsonNode summary = served.get("summary");
        assertThat(summary.get("length_sorted").asBoolean()).isTrue();
        assertThat(summary.get("chunk_size").asInt()).isEqualTo(2);
        assertThat(summary.get("concurrent_chunks").asInt()).isEqualTo(2);
        assertThat(summary.get("intra_op_threads").asInt()).isEqualTo(1);
        assertThat(summary.get("mean_padded_length").asDouble())
                .as("chunks of two texts of similar length pad to far less than the batch's longest")
                .isLessThan(paddedLength(TEXTS.size()));
    }

    @Test
    void shouldScoreTheSameWithIntraOpThreadsThatSleepBetweenOperators() throws Exception {

        JsonNode sleeping = benchDefaultModel("eval", WORK.resolve("texts.json"), "--batch", String.valueOf(BATCH),
                "--threads", "2", "--allow-spinning", "false", "--timed-passes", "1");

        assertThat(sleeping.get("summary").get("allow_spinning").asBoolean()).isFalse();
        assertThat(sleeping.get("logits")).isEqualTo(evaluation.get("logits"));
    }

    @Test
    void shouldWriteTokenIdsCutToTheModelsMaximumLength() throws Exception {
        Path texts = WORK.resolve("texts-unlabelled.json");
        String longText = String.join(" ", Collections.nCopies(400, "market"));
        new ObjectMapper().writeValue(texts.toFile(), Map.of("texts", List.of(TEXTS.get(0), longText)));

        JsonNode tokens = benchDefaultModel("tokens", texts);

        int maxLength = tokens.get("max_length").asInt();
        JsonNode ids = tokens.get("token_ids");
        assertThat(ids).hasSize(2);
        assertThat(ids.get(0).size()).isBetween(3, maxLength);
        assertThat(ids.get(1).size()).as("a 400-word text is truncated").isEqualTo(maxLength);
    }

    @Test
    void shouldTimeTheMatrixProductOfTheCeiling() throws Exception {
        PythonTooling.requirePython();
        Path graph = WORK.resolve("matmul").resolve("model.onnx");
        Files.createDirectories(graph.getParent());
        PythonTooling.run("compute.py", 60, "--matmul-model", graph.toString(), "--k", "64", "--n", "96");

        JsonNode summary = bench("matmul", List.of("--model-dir", graph.getParent().toString(), "--rows", "200",
                "--repeats", "4", "--timed-passes", "3")).get("summary");

        assertThat(List.of(summary.get("rows").asInt(), summary.get("k").asInt(), summary.get("n").asInt()))
                .containsExactly(200, 64, 96);
        assertThat(summary.get("gflop_per_run").asDouble()).isCloseTo(2.0 * 200 * 64 * 96 / 1e9, within(1e-12));
        JsonNode passes = summary.get("passes");
        assertThat(passes).hasSize(3);
        double[] rates = new double[3];
        for (int p = 0; p < 3; p++) {
            rates[p] = passes.get(p).get("gflops").asDouble();
        }
        Arrays.sort(rates);
        assertThat(rates[0]).isPositive();
        assertThat(summary.get("gflops").asDouble()).as("the median pass").isEqualTo(rates[1]);
    }

    /** Mean padded length per text when all the test's texts go to the model as one padded call. */
    private static double paddedLength(int batch) throws Exception {
        JsonNode padded = benchDefaultModel("eval", WORK.resolve("texts.json"), "--batch", String.valueOf(batch),
                "--threads", "1", "--timed-passes", "1");
        assertThat(padded.get("summary").get("length_sorted").asBoolean()).isFalse();
        return padded.get("summary").get("mean_padded_length").asDouble();
    }

    private static float[] softmax(JsonNode logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (JsonNode logit : logits) {
            max = Math.max(max, logit.asDouble());
        }
        double[] exp = new double[logits.size()];
        double sum = 0;
        for (int i = 0; i < exp.length; i++) {
            exp[i] = Math.exp(logits.get(i).asDouble() - max);
            sum += exp[i];
        }
        float[] probabilities = new float[exp.length];
        for (int i = 0; i < exp.length; i++) {
            probabilities[i] = (float) (exp[i] / sum);
        }
        return probabilities;
    }

    private static JsonNode benchDefaultModel(String mode, Path texts, String... options)
            throws IOException, InterruptedException {
        List<String> arguments = new ArrayList<>(
                List.of("--model-dir", MODEL_DIR.toString(), "--texts", texts.toString()));
        arguments.addAll(List.of(options));
        return bench(mode, arguments);
    }

    /** Launches OrtBench.java with the JDK's source launcher; returns the JSON it writes. */
    private static JsonNode bench(String mode, List<String> arguments) throws IOException, InterruptedException {
        Path out = WORK.resolve(mode + "-result.json");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", PythonTooling.benchClasspath(), BENCH.toString(), "--out", out.toString(), "--mode", mode));
        command.addAll(arguments);
        Path log = WORK.resolve(mode + ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("OrtBench did not finish in 2 minutes:\n" + Files.readString(log));
        }
        assertThat(process.exitValue()).as(Files.readString(log)).isZero();
        return new ObjectMapper().readTree(out.toFile());
    }
}
