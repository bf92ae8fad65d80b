package dev.newsclassifier.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.newsclassifier.dataset.DatasetReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The int8 models must score alike on every x86 CPU. VNNI and AMX multiply u8 x s8 exactly, but
 * CPUs without VNNI add pairs of u8 x s8 products in 16 bits first; 8-bit weights overflow that sum
 * (measured: probabilities 0.087 apart from this machine's on 64 validation texts), the 7-bit weights
 * quantize.py writes cannot. The model runs here and in a JVM under QEMU emulating an AMD EPYC Rome
 * (AVX2, no VNNI, no AVX-512), so ONNX Runtime picks its AVX2 kernels there.
 *
 * <p>Needs qemu-user ({@code apt-get install qemu-user}); skipped without it unless
 * {@code NEWS_CLASSIFIER_REQUIRE_QEMU=1}, which CI sets.
 */
class CpuWithoutVnniTest {

    private static final String EMULATED_CPU = "EPYC-Rome";
    /** Kernels differ in fp32 rounding too, which a calibrated quantization step can round either way. */
    private static final double PROBABILITY_TOLERANCE = 1e-3;
    private static final Path ARTICLES = Path.of("src", "main", "resources", "demo", "articles.jsonl");

    @ParameterizedTest
    @ValueSource(strings = {"default", "fast"})
    void shouldScoreAShippedInt8ModelAlikeOnACpuWithoutVnni(String folder) throws Exception {
        Path qemu = qemu().orElseThrow();
        Path modelDir = Path.of("onnx", "models", folder);
        List<String> texts = articleTexts(modelDir);

        List<String> command = List.of(qemu.toString(), "-cpu", EMULATED_CPU,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), ScoreArticles.class.getName(), modelDir.toString());
        Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<float[]> emulated = ScoreArticles.read(child.getInputStream());
        assertThat(child.waitFor(10, TimeUnit.MINUTES)).as("the emulated JVM finished").isTrue();
        assertThat(child.exitValue()).isZero();

        List<Classification> onThisCpu;
        try (OnnxClassifier classifier = OnnxClassifier.load(modelDir, InferenceOptions.cpu(2))) {
            onThisCpu = classifier.classify(texts);
        }
        assertThat(emulated).hasSameSizeAs(texts);
        for (int i = 0; i < texts.size(); i++) {
            float[] here = onThisCpu.get(i).probabilities();
            float[] there = emulated.get(i);
            for (int label = 0; label < here.length; label++) {
                assertThat((double) Math.abs(here[label] - there[label]))
                        .as("%s, label %d of '%s'", folder, label, texts.get(i))
                        .isLessThanOrEqualTo(PROBABILITY_TOLERANCE);
            }
        }
    }

    private static Optional<Path> qemu() {
        boolean x86 = List.of("amd64", "x86_64").contains(System.getProperty("os.arch"));
        Optional<Path> found = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .map(dir -> Path.of(dir, "qemu-x86_64"))
                .filter(Files::isExecutable)
                .findFirst();
        if (found.isEmpty() && "1".equals(System.getenv("NEWS_CLASSIFIER_REQUIRE_QEMU"))) {
            fail("qemu-x86_64 is required (NEWS_CLASSIFIER_REQUIRE_QEMU=1) but not on the PATH; apt-get install qemu-user");
        }
        assumeTrue(x86 && found.isPresent(), "needs an x86-64 host and qemu-x86_64 (apt-get install qemu-user)");
        return found;
    }

    /** The demo's 40 articles, written for this project, as the service composes their text. */
    static List<String> articleTexts(Path modelDir) {
        List<String> labels = ModelConfig.read(modelDir.resolve(ModelConfig.FILE_NAME)).labels();
        return new DatasetReader(labels, false).readAll(ARTICLES).stream()
                .map(article -> TextRule.apply(article.title(), article.description()))
                .toList();
    }

    /** The emulated JVM: classifies the demo articles as one batch and prints each probability row. */
    public static final class ScoreArticles {
        public static void main(String[] args) {
            Path modelDir = Path.of(args[0]);
            try (OnnxClassifier classifier = OnnxClassifier.load(modelDir, InferenceOptions.cpu(2))) {
                for (Classification result : classifier.classify(articleTexts(modelDir))) {
                    StringBuilder row = new StringBuilder("P");
                    for (float p : result.probabilities()) {
                        row.append(' ').append(p);
                    }
                    System.out.println(row);
                }
            }
        }

        static List<float[]> read(InputStream output) throws IOException {
            List<float[]> rows = new ArrayList<>();
            BufferedReader reader = new BufferedReader(new InputStreamReader(output, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.startsWith("P ")) {
                    String[] fields = line.substring(2).split(" ");
                    float[] row = new float[fields.length];
                    for (int i = 0; i < fields.length; i++) {
                        row[i] = Float.parseFloat(fields[i]);
                    }
                    rows.add(row);
                }
            }
            return rows;
        }
    }
}
