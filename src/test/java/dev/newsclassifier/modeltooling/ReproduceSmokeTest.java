package dev.newsclassifier.modeltooling;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The whole model pipeline of reproduce.py (protocol, ladder, ablation, learning curve, teacher and
 * students, export, int8, bench, ship, card) on a tiny data set written by smoke_run.py, a few training
 * steps per rung, with MiniLM from the langchain4j jar as the base. Its figures mean nothing; what it
 * checks is that every stage runs and hands the next what it needs.
 */
class ReproduceSmokeTest {

    @Test
    void shouldRunEveryStageOfTheNewProtocolOnATinyDataSet() throws Exception {
        PythonTooling.requirePython();
        Path model = PythonTooling.extractResource("all-minilm-l6-v2.onnx");
        Path tokenizer = PythonTooling.extractResource("all-minilm-l6-v2-tokenizer.json");
        Path work = PythonTooling.WORK.resolve("smoke-run");
        Files.createDirectories(work);
        String out = PythonTooling.run("smoke_run.py", 900, "--base-onnx", model.toString(), "--base-tokenizer",
                tokenizer.toString(), "--bench-classpath", PythonTooling.benchClasspath(), "--work", work.toString());
        String[] lines = out.strip().split("\n");
        // A bench pass of a tiny model over a few texts can be too fast to time: its rate is Infinity.
        JsonNode run = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build()
                .readTree(lines[lines.length - 1]);

        JsonNode ladder = run.get("ladder");
        assertThat(ladder.get("test_rows").asInt()).as("every test row of the tiny test_part").isEqualTo(40);
        List<String> rungs = new ArrayList<>();
        for (JsonNode rung : ladder.get("rungs")) {
            rungs.add(rung.get("rung").asText());
            assertThat(rung.get("test_accuracy").asDouble()).as(rung.toString()).isBetween(0.0, 1.0);
            assertThat(rung.get("test_confusion_matrix")).as(rung.toString()).hasSize(4);
            // The reference the service's confidence drift is measured against: every test row in one of ten bins.
            int binned = 0;
            for (JsonNode bin : rung.get("test_confidence_histogram")) {
                binned += bin.asInt();
            }
            assertThat(rung.get("test_confidence_histogram")).as(rung.toString()).hasSize(10);
            assertThat(binned).as(rung.toString()).isEqualTo(40);
        }
        assertThat(rungs).contains("a-scratch", "b-frozen-minilm", "c-finetune-minilm", "c-l1-distill-minilm",
                "c-l3-distill-minilm", "d-static-finetune-minilm", "d-static-l1-distill-minilm");

        // The default ships in static int8 when that costs at most 0.3 points of validation accuracy, else in fp32;
        // on a few tiny validation rows either can happen, so the check is that the rule was applied.
        boolean staticShips = validationAccuracy(ladder, "c-finetune-minilm")
                - validationAccuracy(ladder, "d-static-finetune-minilm") <= 0.003 + 1e-9;
        JsonNode shipped = run.get("shipped");
        assertThat(shipped.at("/default/model_version").asText()).isEqualTo(staticShips ? "3.0.0" : "3.0.0+fp32");
        assertThat(shipped.at("/default/precision").asText()).isEqualTo(staticShips ? "int8-static" : "fp32");
        assertThat(shipped.at("/fp32/model_version").asText()).isEqualTo("3.0.0+fp32");
        // The fast folder takes a student by the validation rule; on a tiny run either can win.
        String fastName = shipped.at("/fast/model_name").asText();
        assertThat(fastName).isIn("news-classifier-minilm-l1-agnews", "news-classifier-minilm-l3-agnews");
        assertThat(shipped.at("/default/metrics/test_accuracy").isNumber()).isTrue();
        assertThat(shipped.at("/default/metrics/validation_accuracy").isNumber()).isTrue();
        assertThat(shipped.at("/default/metrics/test_confidence_histogram")).hasSize(10);
        // Every shipped folder names its attention tensors, one per encoder layer, for `explain`.
        assertThat(shipped.at("/fast/explain/attention_outputs")).hasSize(fastName.contains("-l1-") ? 1 : 3);
        assertThat(shipped.at("/default/explain/attention_outputs").size())
                .isEqualTo(shipped.at("/fp32/explain/attention_outputs").size()).isPositive();

        assertThat(run.at("/ablation/points")).hasSize(3);
        assertThat(run.at("/ablation/points/0/tiers").toString()).isEqualTo("[\"sample\",\"A\"]");
        assertThat(run.at("/ablation/points/2/train_rows").asInt())
                .as("the last point trains on every tier").isGreaterThan(run.at("/ablation/points/1/train_rows").asInt());
        assertThat(run.at("/curve/points")).hasSize(3);
        assertThat(run.at("/teacher/members/0").asText()).isEqualTo("c-finetune-minilm");
        assertThat(run.get("card").asText()).contains("Which rows help", "What more data would buy",
                "news-classifier-minilm-l6-agnews " + (staticShips ? "3.0.0, int8-static" : "3.0.0+fp32, fp32"));
    }

    private static double validationAccuracy(JsonNode ladder, String rung) {
        for (JsonNode entry : ladder.get("rungs")) {
            if (entry.get("rung").asText().equals(rung)) {
                return entry.get("validation_accuracy").asDouble();
            }
        }
        throw new AssertionError("no rung " + rung + " in the ladder");
    }
}
