package dev.newsclassifier.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The explain variant of every shipped model: the same file opened with the attention tensors its config names as
 * extra outputs. It must give the served graph's logits and, per layer and head, attention rows that are
 * distributions over the text's tokens.
 */
class AttentionModelTest {

    private static final String TEXT = "Chipmaker shares jump on record quarter as demand for its processors rises";

    @TempDir
    Path dir;

    private static Path folder(String name) {
        return Path.of("onnx", "models", name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "fast", "fp32"})
    void shouldGiveTheServedModelsLogits(String name) throws Exception {
        float[] served = servedLogits(folder(name), TEXT);

        try (AttentionModel model = AttentionModel.open(folder(name), 1)) {
            float[] explained = model.attend(TEXT).logits();

            assertThat(explained).hasSameSizeAs(served);
            for (int i = 0; i < served.length; i++) {
                assertThat(explained[i]).as("logit %d", i).isCloseTo(served[i], within(1e-4f));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "fast", "fp32"})
    void shouldReturnEachLayersAttentionAsDistributionsOverTheTokens(String name) {
        try (AttentionModel model = AttentionModel.open(folder(name), 1)) {
            Attention attention = model.attend(TEXT);

            assertThat(attention.layers()).isEqualTo(AttentionModel.attentionOutputs(folder(name)).size())
                    .isEqualTo(model.layers()).isPositive();
            assertThat(attention.heads()).isEqualTo(model.heads()).isEqualTo(12);
            assertThat(attention.tokens()).startsWith("[CLS]").endsWith("[SEP]").contains("processors");
            int tokens = attention.tokens().size();
            for (int layer = 0; layer < attention.layers(); layer++) {
                for (int head = 0; head < attention.heads(); head++) {
                    float[][] matrix = attention.head(layer, head);
                    assertThat(matrix).hasDimensions(tokens, tokens);
                    for (float[] row : matrix) {
                        assertThat(sum(row)).isCloseTo(1f, within(1e-3f));
                    }
                }
                float[] first = attention.firstTokenRow(layer);
                assertThat(sum(first)).isCloseTo(1f, within(1e-3f));
            }
        }
    }

    @Test
    void shouldAverageTheFirstTokensRowOverTheHeads() {
        float[][][][] weights = {{{{0.5f, 0.5f}, {1, 0}}, {{1, 0}, {0, 1}}}};
        Attention attention = new Attention(List.of("[CLS]", "[SEP]"), new float[] {0}, weights);

        assertThat(attention.firstTokenRow(0)).containsExactly(0.75f, 0.25f);
    }

    @Test
    void shouldRefuseAFolderWhoseConfigNamesNoAttention() throws Exception {
        Path copy = copyWithConfig(config -> config.remove(AttentionModel.CONFIG_KEY));

        assertThat(AttentionModel.attentionOutputs(copy)).isEmpty();
        assertThatThrownBy(() -> AttentionModel.open(copy, 1)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("names no attention outputs").hasMessageContaining("--stages explain");
    }

    @Test
    void shouldRefuseAConfigThatNamesATensorTheModelLacks() throws Exception {
        Path copy = copyWithConfig(config -> ((ObjectNode) config.path(AttentionModel.CONFIG_KEY))
                .putArray("attention_outputs").add("/encoder/layers.9/Softmax_output_0"));

        assertThatThrownBy(() -> AttentionModel.open(copy, 1)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("layers.9");
    }

    private Path copyWithConfig(java.util.function.Consumer<ObjectNode> change) throws Exception {
        Path copy = Files.createDirectories(dir.resolve("fast"));
        for (String file : List.of(OnnxClassifier.MODEL_FILE, OnnxClassifier.TOKENIZER_FILE)) {
            Files.copy(folder("fast").resolve(file), copy.resolve(file));
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(folder("fast").resolve(ModelConfig.FILE_NAME).toFile());
        change.accept(config);
        json.writeValue(copy.resolve(ModelConfig.FILE_NAME).toFile(), config);
        return copy;
    }

    /** The logits of the served graph (model.onnx as the service loads it) for one unpadded text. */
    private static float[] servedLogits(Path folder, String text) throws Exception {
        ModelConfig config = ModelConfig.read(folder.resolve(ModelConfig.FILE_NAME));
        OrtEnvironment environment = RuntimeEnvironment.get();
        try (HuggingFaceTokenizer tokenizer = OnnxClassifier.openTokenizer(folder.resolve(OnnxClassifier.TOKENIZER_FILE),
                config.maxLength());
                OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            OnnxClassifier.configure(options, InferenceOptions.cpu(1, 1, 1));
            Encoding encoding = tokenizer.encode(text);
            long[] mask = new long[encoding.getIds().length];
            Arrays.fill(mask, 1);
            try (OrtSession session = environment.createSession(folder.resolve(OnnxClassifier.MODEL_FILE).toString(),
                    options);
                    OnnxTensor ids = OnnxTensor.createTensor(environment, new long[][] {encoding.getIds()});
                    OnnxTensor attentionMask = OnnxTensor.createTensor(environment, new long[][] {mask});
                    OrtSession.Result result = session.run(Map.of(OnnxClassifier.INPUT_IDS, ids,
                            OnnxClassifier.ATTENTION_MASK, attentionMask))) {
                assertThat(session.getOutputNames()).containsExactly(OnnxClassifier.LOGITS);
                return ((float[][]) result.get(0).getValue())[0];
            }
        }
    }

    private static float sum(float[] values) {
        float sum = 0;
        for (float value : values) {
            sum += value;
        }
        return sum;
    }
}
