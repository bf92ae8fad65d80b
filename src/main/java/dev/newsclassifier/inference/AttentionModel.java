package dev.newsclassifier.inference;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model folder opened to show where the model looked: a second session of the served {@code model.onnx} that also
 * returns each layer's attention probabilities, the tensors {@code config.json} names under {@code explain}. The
 * served model and its session are untouched, so serving pays nothing for this; it runs one text at a time, unpadded.
 */
public final class AttentionModel implements AutoCloseable {

    /** The config entry the model tooling writes beside every model it ships. */
    public static final String CONFIG_KEY = "explain";

    private final List<String> attentionOutputs;
    private final HuggingFaceTokenizer tokenizer;
    private final OrtEnvironment environment;
    private final OrtSession session;
    private int heads;

    private AttentionModel(List<String> attentionOutputs, HuggingFaceTokenizer tokenizer,
            OrtEnvironment environment, OrtSession session) {
        this.attentionOutputs = attentionOutputs;
        this.tokenizer = tokenizer;
        this.environment = environment;
        this.session = session;
    }

    /** The attention tensors a model folder's config names, bottom layer first; empty when it names none. */
    public static List<String> attentionOutputs(Path modelDir) {
        Path file = modelDir.resolve(ModelConfig.FILE_NAME);
        try {
            JsonNode names = new ObjectMapper().readTree(file.toFile()).path(CONFIG_KEY).path("attention_outputs");
            List<String> outputs = new ArrayList<>();
            names.forEach(name -> outputs.add(name.asText()));
            return List.copyOf(outputs);
        } catch (IOException e) {
            throw new ModelLoadException(file, "not valid JSON (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Opens {@code modelDir} with its attention as outputs.
     *
     * @throws ModelLoadException when a file is missing or broken, or the config names no attention outputs (a
     *     model shipped before the tooling wrote them: {@code reproduce.py --stages explain} adds them)
     */
    public static AttentionModel open(Path modelDir, int intraOpThreads) {
        ModelConfig config = ModelConfig.read(modelDir.resolve(ModelConfig.FILE_NAME));
        List<String> outputs = attentionOutputs(modelDir);
        if (outputs.isEmpty()) {
            throw new ModelLoadException(modelDir.resolve(ModelConfig.FILE_NAME), "names no attention outputs ('"
                    + CONFIG_KEY + ".attention_outputs'); `reproduce.py --stages explain` writes them");
        }
        Path modelFile = modelDir.resolve(OnnxClassifier.MODEL_FILE);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(modelFile);
        } catch (IOException e) {
            throw new ModelLoadException(modelFile, "cannot be read (" + e.getMessage() + ")", e);
        }
        HuggingFaceTokenizer tokenizer = OnnxClassifier.openTokenizer(modelDir.resolve(OnnxClassifier.TOKENIZER_FILE),
                config.maxLength());
        OrtEnvironment environment = RuntimeEnvironment.get();
        OrtSession session = null;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            OnnxClassifier.configure(options, InferenceOptions.cpu(intraOpThreads, 1, 1));
            session = environment.createSession(ExtraOutputs.withFloatOutputs(bytes, outputs), options);
            Set<String> missing = new LinkedHashSet<>(outputs);
            missing.removeAll(session.getOutputNames());
            if (!missing.isEmpty()) {
                throw new ModelLoadException(modelFile, "has no tensors " + missing + " named by config.json");
            }
            AttentionModel model = new AttentionModel(outputs, tokenizer, environment, session);
            // The heads are a dimension of the outputs that only a run fixes.
            model.heads = model.attend("head count probe").heads();
            return model;
        } catch (OrtException | RuntimeException e) {
            OnnxClassifier.closeQuietly(session, tokenizer);
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new ModelLoadException(modelFile, "not loadable with its attention outputs (" + e.getMessage() + ")", e);
        }
    }

    public int layers() {
        return attentionOutputs.size();
    }

    public int heads() {
        return heads;
    }

    /** Runs {@code text} (the text rule already applied) alone and returns its tokens, logits and attention. */
    public Attention attend(String text) {
        Encoding encoding = tokenizer.encode(text);
        Map<String, OnnxTensor> inputs = Map.of();
        try {
            inputs = OnnxClassifier.inputTensors(environment, List.of(encoding),
                    session.getInputNames().contains(OnnxClassifier.TOKEN_TYPE_IDS));
            Set<String> requested = new LinkedHashSet<>(attentionOutputs);
            requested.add(OnnxClassifier.LOGITS);
            try (OrtSession.Result result = session.run(inputs, requested)) {
                float[] logits = ((float[][]) result.get(OnnxClassifier.LOGITS).orElseThrow().getValue())[0];
                float[][][][] weights = new float[attentionOutputs.size()][][][];
                for (int layer = 0; layer < weights.length; layer++) {
                    weights[layer] = ((float[][][][]) result.get(attentionOutputs.get(layer)).orElseThrow().getValue())[0];
                }
                return new Attention(List.of(encoding.getTokens()), logits, weights);
            }
        } catch (OrtException e) {
            throw new InferenceException("ONNX Runtime failed on a text of " + encoding.getIds().length + " tokens: "
                    + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new InferenceException("closing the attention session failed: " + e.getMessage(), e);
        } finally {
            tokenizer.close();
        }
    }
}
