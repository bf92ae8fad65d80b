package dev.newsclassifier.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A broken model folder fails at load with one message naming the path and the problem. */
class ModelLoadingTest {

    private static final InferenceOptions CPU = InferenceOptions.cpu(1);

    @TempDir
    Path dir;

    private Path copyOfDefaultModel() throws IOException {
        for (String file : new String[] {"model.onnx", "tokenizer.json", "config.json"}) {
            Files.copy(DefaultModel.DIR.resolve(file), dir.resolve(file));
        }
        return dir;
    }

    @Test
    void shouldNameAMissingModelFolder() {
        Path missing = dir.resolve("nowhere");
        assertThatThrownBy(() -> OnnxClassifier.load(missing, CPU))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage("Cannot load model " + missing + ": model folder not found");
    }

    @Test
    void shouldNameAMissingModelFile() throws IOException {
        Files.delete(copyOfDefaultModel().resolve("model.onnx"));
        assertThatThrownBy(() -> OnnxClassifier.load(dir, CPU))
                .hasMessage("Cannot load model " + dir.resolve("model.onnx") + ": file not found");
    }

    @Test
    void shouldNameACorruptModelFile() throws IOException {
        Files.write(copyOfDefaultModel().resolve("model.onnx"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertThatThrownBy(() -> OnnxClassifier.load(dir, CPU))
                .hasMessageStartingWith("Cannot load model " + dir.resolve("model.onnx") + ": not a loadable ONNX model");
    }

    @Test
    void shouldNameACorruptTokenizer() throws IOException {
        Files.writeString(copyOfDefaultModel().resolve("tokenizer.json"), "{\"truncated\": ");
        assertThatThrownBy(() -> OnnxClassifier.load(dir, CPU))
                .hasMessageStartingWith("Cannot load model " + dir.resolve("tokenizer.json") + ": not a valid HuggingFace tokenizer");
    }

    @Test
    void shouldRejectAModelWithoutLogitsOutput() throws IOException {
        copyOfDefaultModel();
        // The pretrained encoder the model was fine-tuned from: right inputs, but it outputs hidden states.
        try (InputStream encoder = getClass().getClassLoader().getResourceAsStream("all-minilm-l6-v2.onnx")) {
            Files.copy(encoder, dir.resolve("model.onnx"), StandardCopyOption.REPLACE_EXISTING);
        }
        assertThatThrownBy(() -> OnnxClassifier.load(dir, CPU))
                .hasMessageStartingWith("Cannot load model " + dir.resolve("model.onnx") + ": model has no output 'logits'");
    }

    @Test
    void shouldRejectALabelCountThatDiffersFromTheModelOutput() throws IOException {
        Path config = copyOfDefaultModel().resolve("config.json");
        String json = Files.readString(config)
                .replaceAll("\"num_labels\"\\s*:\\s*4", "\"num_labels\": 3")
                .replaceAll(",\\s*\"3\"\\s*:\\s*\"Sci/Tech\"", "")
                .replaceAll(",\\s*\"Sci/Tech\"\\s*:\\s*3", "");
        Files.writeString(config, json);
        assertThatThrownBy(() -> OnnxClassifier.load(dir, CPU))
                .hasMessage("Cannot load model " + dir.resolve("model.onnx")
                        + ": model outputs 4 logits but config.json has 3 labels [World, Sports, Business]");
    }

    @Test
    void shouldFailClearlyWhenCudaIsRequestedWithoutIt() throws IOException {
        assumeFalse(OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA), "this machine has CUDA");
        copyOfDefaultModel();
        InferenceOptions cuda = new InferenceOptions(InferenceOptions.Device.CUDA, 0, false, 1, 8, 1, true);
        assertThatThrownBy(() -> OnnxClassifier.load(dir, cuda))
                .hasMessageContaining("device=cuda was requested but the CUDA execution provider is not available")
                .hasMessageContaining("news.inference.fallback-to-cpu=true");
    }

    @Test
    void shouldFallBackToCpuWhenConfiguredTo() throws IOException {
        copyOfDefaultModel();
        InferenceOptions cuda = new InferenceOptions(InferenceOptions.Device.CUDA, 0, true, 1, 8, 1, true);
        try (OnnxClassifier classifier = OnnxClassifier.load(dir, cuda)) {
            assertThat(classifier.device()).isEqualTo(InferenceOptions.Device.CPU);
        }
    }
}
