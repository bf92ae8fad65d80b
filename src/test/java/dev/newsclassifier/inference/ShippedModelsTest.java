package dev.newsclassifier.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every model folder shipped under onnx/models: the default (int8), its fp32 source and the fast
 * variant. Each must label handwritten headlines, score an article the same alone and inside a padded
 * batch (the property that makes a replay reproduce the first run's labels), and be the file its
 * config.json describes. The int8 default must also agree with the fp32 model it was quantized from.
 */
class ShippedModelsTest {

    private static final long MAX_FILE_BYTES = 95_000_000L;

    /** Headlines written for this test (not from AG News), three per class. */
    private static final List<String[]> HEADLINES = List.of(
            new String[] {"World", "Prime minister resigns as coalition collapses over budget vote"},
            new String[] {"World", "Rebels seize border town as refugees flee across the river"},
            new String[] {"World", "Foreign ministers meet in Vienna to revive stalled peace talks"},
            new String[] {"Sports", "Striker scores twice as United climb to the top of the league"},
            new String[] {"Sports", "Olympic champion withdraws from marathon with hamstring injury"},
            new String[] {"Sports", "Home side clinch series with a six in the final over"},
            new String[] {"Business", "Shares of the retailer tumble after profit warning"},
            new String[] {"Business", "Central bank leaves interest rates unchanged as inflation eases"},
            new String[] {"Business", "Brewer agrees to buy rival in $5 billion takeover deal"},
            new String[] {"Sci/Tech", "New smartphone chip promises longer battery life and faster graphics"},
            new String[] {"Sci/Tech", "Astronomers detect water vapour on a distant exoplanet"},
            new String[] {"Sci/Tech", "Security firm warns of a virus spreading through email attachments"});

    private static Path folder(String name) {
        return Path.of("onnx", "models", name);
    }

    private static OnnxClassifier load(String name) {
        return OnnxClassifier.load(folder(name), new InferenceOptions(InferenceOptions.Device.CPU, 0, false, 2, 4, 1, true));
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "fp32", "fast"})
    void shouldLabelAtLeastElevenOfTwelveHandwrittenHeadlines(String name) {
        try (OnnxClassifier classifier = load(name)) {
            List<Classification> results = classifier.classify(HEADLINES.stream().map(h -> h[1]).toList());

            List<String> wrong = new ArrayList<>();
            for (int i = 0; i < HEADLINES.size(); i++) {
                String predicted = classifier.model().label(results.get(i).labelIndex());
                if (!predicted.equals(HEADLINES.get(i)[0])) {
                    wrong.add(HEADLINES.get(i)[1] + " -> " + predicted);
                }
            }
            assertThat(wrong).as("misclassified headlines").hasSizeLessThanOrEqualTo(1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "fp32", "fast"})
    void shouldGiveTheSameScoresAloneAsInAPaddedBatch(String name) {
        String shortText = "Stocks rise";
        String longText = "The space agency said on Tuesday that its new telescope had captured images of galaxies "
                + "formed shortly after the big bang, opening a new window on the early universe for astronomers.";
        try (OnnxClassifier classifier = load(name)) {
            float[] alone = classifier.classify(List.of(shortText)).get(0).probabilities();

            List<Classification> mixed = classifier.classify(List.of(longText, shortText, longText, longText, longText));

            assertThat(mixed.get(1).probabilities()).containsExactly(alone, within(1e-4f));
        }
    }

    @Test
    void shouldLabelHeadlinesAsTheFp32ModelItWasQuantizedFrom() throws IOException {
        ObjectMapper json = new ObjectMapper();
        String source = json.readTree(folder("default").resolve("config.json").toFile())
                .at("/quantization/source_rung").asText();
        String fp32Rung = json.readTree(folder("fp32").resolve("config.json").toFile()).at("/training/rung").asText();
        assertThat(source).as("the default's fp32 source").isEqualTo(fp32Rung);

        List<String> texts = HEADLINES.stream().map(h -> h[1]).toList();
        try (OnnxClassifier int8 = load("default"); OnnxClassifier fp32 = load("fp32")) {
            List<Classification> quantized = int8.classify(texts);
            List<Classification> reference = fp32.classify(texts);
            for (int i = 0; i < texts.size(); i++) {
                assertThat(quantized.get(i).labelIndex()).as(texts.get(i)).isEqualTo(reference.get(i).labelIndex());
                assertThat(quantized.get(i).probabilities()).as(texts.get(i))
                        .containsExactly(reference.get(i).probabilities(), within(0.05f));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "fp32", "fast"})
    void shouldBeTheModelFileItsConfigDescribes(String name) throws Exception {
        Path model = folder(name).resolve(OnnxClassifier.MODEL_FILE);
        String declared = new ObjectMapper().readTree(folder(name).resolve("config.json").toFile())
                .get("model_sha256").asText();

        assertThat(sha256(model)).isEqualTo(declared);
        assertThat(Files.size(model)).as("no shipped file over 95 MB").isLessThan(MAX_FILE_BYTES);
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "fast"})
    void shouldRunTheInt8ModelsOnOnnxRuntimesFusedKernels(String name, @TempDir Path tmp) throws Exception {
        Set<String> kernels = new HashSet<>();
        OrtEnvironment environment = RuntimeEnvironment.get();
        try (OrtSession.SessionOptions sessionOptions = new OrtSession.SessionOptions()) {
            OnnxClassifier.configure(sessionOptions, new InferenceOptions(InferenceOptions.Device.CPU, 0, false, 2, 4, 1, true));
            sessionOptions.enableProfiling(tmp.resolve("profile").toString());
            try (OrtSession session = environment.createSession(folder(name).resolve(OnnxClassifier.MODEL_FILE).toString(),
                    sessionOptions);
                    OnnxTensor ids = OnnxTensor.createTensor(environment, new long[][] {{101, 7592, 2088, 102}, {101, 7592, 102, 0}});
                    OnnxTensor mask = OnnxTensor.createTensor(environment, new long[][] {{1, 1, 1, 1}, {1, 1, 1, 0}});
                    OrtSession.Result ignored = session.run(Map.of("input_ids", ids, "attention_mask", mask))) {
                Path profile = Path.of(session.endProfiling());
                for (JsonNode event : new ObjectMapper().readTree(profile.toFile())) {
                    if ("Node".equals(event.path("cat").asText())) {
                        kernels.add(event.at("/args/op_name").asText());
                    }
                }
            }
        }

        // What graph_rewrites.py and the shapes quantize.py writes are for: without them ONNX Runtime
        // runs erf GELU, the bias Adds and the embedding LayerNormalization as slower separate kernels.
        assertThat(kernels).contains("MatMulIntegerToFloat", "SkipLayerNormalization", "FastGelu")
                .doesNotContain("Erf", "BiasGelu", "Gelu", "LayerNormalization");
    }

    private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
