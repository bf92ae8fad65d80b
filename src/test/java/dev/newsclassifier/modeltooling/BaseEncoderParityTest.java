package dev.newsclassifier.modeltooling;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The tooling rebuilds the base encoder (all-MiniLM-L6-v2 from the langchain4j jar) as a trainable
 * PyTorch module from the ONNX weights. Its last hidden state must match ONNX Runtime running the
 * original ONNX file on a padded batch.
 */
class BaseEncoderParityTest {

    private static final List<String> TEXTS = List.of(
            "Oil up",
            "Storm shows Haiti's straits: muddy waters after the hurricane",
            "Fears for T N pension after talks Unions representing workers at Turner Newall say they are"
                    + " 'disappointed' after talks with stricken parent firm Federal Mogul.",
            "Café München wins $46.5m deal");

    @Test
    void shouldMatchOnnxEncoderOnPaddedBatch() throws Exception {
        PythonTooling.requirePython();
        Path model = PythonTooling.extractResource("all-minilm-l6-v2.onnx");
        Path tokenizerJson = PythonTooling.extractResource("all-minilm-l6-v2-tokenizer.json");

        long[][] ids;
        long[][] mask;
        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.builder().optTokenizerPath(tokenizerJson)
                .optMaxLength(128).optTruncation(true).optPadding(true).build()) {
            Encoding[] enc = tokenizer.batchEncode(TEXTS);
            ids = new long[enc.length][];
            mask = new long[enc.length][];
            for (int i = 0; i < enc.length; i++) {
                ids[i] = enc[i].getIds();
                mask[i] = enc[i].getAttentionMask();
            }
        }
        int len = ids[0].length;
        assertThat(mask[0]).as("the batch is padded").contains(0L);

        ObjectMapper json = new ObjectMapper();
        Path in = PythonTooling.WORK.resolve("parity-ids.json");
        Path out = PythonTooling.WORK.resolve("parity-hidden.json");
        json.writeValue(in.toFile(), Map.of("input_ids", ids, "attention_mask", mask));
        PythonTooling.run("encoder_hidden.py", 300, "--onnx", model.toString(), "--input", in.toString(),
                "--output", out.toString());
        JsonNode torchHidden = json.readTree(out.toFile()).get("last_hidden_state");

        float[][][] ortHidden;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] shape = {ids.length, len};
        try (OrtSession session = env.createSession(model.toString(), new OrtSession.SessionOptions());
                OnnxTensor idsT = OnnxTensor.createTensor(env, LongBuffer.wrap(flatten(ids)), shape);
                OnnxTensor maskT = OnnxTensor.createTensor(env, LongBuffer.wrap(flatten(mask)), shape);
                OnnxTensor typesT = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[ids.length * len]), shape);
                OrtSession.Result result = session.run(
                        Map.of("input_ids", idsT, "attention_mask", maskT, "token_type_ids", typesT))) {
            ortHidden = (float[][][]) result.get("last_hidden_state").orElseThrow().getValue();
        }

        double maxDiff = 0;
        int compared = 0;
        for (int b = 0; b < ids.length; b++) {
            for (int t = 0; t < len; t++) {
                if (mask[b][t] == 0) {
                    continue;
                }
                for (int h = 0; h < ortHidden[b][t].length; h++) {
                    maxDiff = Math.max(maxDiff, Math.abs(ortHidden[b][t][h] - torchHidden.get(b).get(t).get(h).asDouble()));
                    compared++;
                }
            }
        }
        System.out.printf("BaseEncoderParityTest: max abs diff on %d real-token values = %.3g%n", compared, maxDiff);
        assertThat(compared).isGreaterThan(384 * 20);
        assertThat(maxDiff).as("max abs diff of last hidden state on real tokens").isLessThanOrEqualTo(1e-4);
    }

    private static long[] flatten(long[][] rows) {
        long[] flat = new long[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * rows[0].length, rows[0].length);
        }
        return flat;
    }
}
