package dev.newsclassifier.modeltooling;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Runs the export path of the tooling on a tiny configuration (a few training steps of a small
 * BERT on a handful of texts) and checks the ONNX file against the service's contract.
 */
class ExportSmokeTest {

    private static final List<String> TEXTS = List.of(
            "Leaders meet for peace talks in the capital",
            "Striker scores twice as the home team wins the cup final",
            "Shares fall after the bank reports lower quarterly profit",
            "New chip doubles battery life of laptops, says maker",
            "Rebels and army agree to a ceasefire",
            "Coach resigns after a losing season",
            "Oil prices rise to $46.5 a barrel",
            "Space probe sends first images of the comet");
    private static final List<Integer> LABELS = List.of(0, 1, 2, 3, 0, 1, 2, 3);
    private static final List<String> CONTRACT_KEYS = List.of("model_name", "model_version", "architecture",
            "base_model", "num_labels", "id2label", "label2id", "max_length", "inputs", "output", "precision",
            "text_rule", "data", "metrics", "training", "model_sha256");

    @Test
    void shouldExportModelThatOnnxRuntimeRunsLikeTorch() throws Exception {
        PythonTooling.requirePython();
        Path tokenizerJson = PythonTooling.extractResource("all-minilm-l6-v2-tokenizer.json");
        ObjectMapper json = new ObjectMapper();
        Path in = PythonTooling.WORK.resolve("smoke-texts.json");
        Path outDir = PythonTooling.WORK.resolve("smoke-export");
        json.writeValue(in.toFile(), Map.of("texts", TEXTS, "labels", LABELS));
        PythonTooling.run("smoke_export.py", 110, "--tokenizer", tokenizerJson.toString(), "--input", in.toString(),
                "--out-dir", outDir.toString());

        JsonNode config = json.readTree(outDir.resolve("config.json").toFile());
        assertThat(config.fieldNames()).toIterable().containsAll(CONTRACT_KEYS);
        assertThat(config.get("inputs")).extracting(JsonNode::asText).containsExactly("input_ids", "attention_mask");
        assertThat(config.get("output").asText()).isEqualTo("logits");
        assertThat(config.get("num_labels").asInt()).isEqualTo(4);
        assertThat(config.get("id2label").get("3").asText()).isEqualTo("Sci/Tech");
        assertThat(config.get("label2id").get("Sports").asInt()).isEqualTo(1);
        assertThat(config.get("text_rule").get("id").asText()).isEqualTo("agnews-text-v1");
        assertThat(config.get("model_sha256").asText()).hasSize(64);

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(outDir.resolve("model.onnx").toString(),
                new OrtSession.SessionOptions())) {
            assertThat(session.getInputNames()).containsExactlyInAnyOrder("input_ids", "attention_mask");
            assertThat(session.getOutputNames()).containsExactly("logits");
            for (NodeInfo input : session.getInputInfo().values()) {
                TensorInfo info = (TensorInfo) input.getInfo();
                assertThat(info.type).isEqualTo(ai.onnxruntime.OnnxJavaType.INT64);
                assertThat(info.getShape()).as("dynamic batch and sequence axes").containsExactly(-1L, -1L);
            }

            JsonNode batches = json.readTree(outDir.resolve("check.json").toFile()).get("batches");
            assertThat(batches).hasSize(2);
            int[] seenShape = new int[2];
            for (int b = 0; b < batches.size(); b++) {
                JsonNode batch = batches.get(b);
                long[][] ids = json.convertValue(batch.get("input_ids"), long[][].class);
                long[][] mask = json.convertValue(batch.get("attention_mask"), long[][].class);
                float[][] expected = json.convertValue(batch.get("logits"), float[][].class);
                long[] shape = {ids.length, ids[0].length};
                seenShape[b] = ids.length * 1000 + ids[0].length;
                try (OnnxTensor idsT = OnnxTensor.createTensor(env, LongBuffer.wrap(flatten(ids)), shape);
                        OnnxTensor maskT = OnnxTensor.createTensor(env, LongBuffer.wrap(flatten(mask)), shape);
                        OrtSession.Result result = session.run(Map.of("input_ids", idsT, "attention_mask", maskT))) {
                    float[][] logits = (float[][]) result.get("logits").orElseThrow().getValue();
                    assertThat(logits.length).isEqualTo(ids.length);
                    double maxDiff = 0;
                    for (int i = 0; i < logits.length; i++) {
                        assertThat(logits[i]).hasSize(4);
                        for (int c = 0; c < 4; c++) {
                            maxDiff = Math.max(maxDiff, Math.abs(logits[i][c] - expected[i][c]));
                        }
                    }
                    assertThat(maxDiff).as("max abs diff of logits, batch %d", b).isLessThanOrEqualTo(1e-4);
                }
            }
            assertThat(seenShape[0]).as("two different batch sizes and lengths").isNotEqualTo(seenShape[1]);
        }
    }

    private static long[] flatten(long[][] rows) {
        long[] flat = new long[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * rows[0].length, rows[0].length);
        }
        return flat;
    }
}
