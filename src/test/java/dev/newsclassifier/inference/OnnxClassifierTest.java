package dev.newsclassifier.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OrtSession;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shipped default model, run by ONNX Runtime on the CPU. */
class OnnxClassifierTest {

    private static OnnxClassifier classifier;

    @BeforeAll
    static void load() {
        classifier = OnnxClassifier.load(DefaultModel.DIR, new InferenceOptions(InferenceOptions.Device.CPU, 0, false, 2, 4, true));
    }

    @AfterAll
    static void close() {
        classifier.close();
    }

    @Test
    void shouldTakeLabelsFromTheModelConfig() {
        assertThat(classifier.model().labels()).containsExactly("World", "Sports", "Business", "Sci/Tech");
        assertThat(classifier.model().maxLength()).isPositive();
    }

    @Test
    void shouldReturnProbabilitiesThatSumToOne() {
        Classification result = classifier.classify(List.of("Oil prices climb as supply falls")).get(0);

        float sum = 0;
        for (float p : result.probabilities()) {
            sum += p;
        }
        assertThat(sum).isCloseTo(1f, within(1e-5f));
        assertThat(result.confidence()).isEqualTo(result.probabilities()[result.labelIndex()]);
    }

    @Test
    void shouldFlagTextLongerThanTheModelMaximum() {
        String longText = "markets ".repeat(classifier.model().maxLength() + 10);

        List<Classification> results = classifier.classify(List.of(longText, "Short headline"));

        assertThat(results.get(0).truncated()).isTrue();
        assertThat(results.get(1).truncated()).isFalse();
    }

    @Test
    void shouldRunEverySessionWithDenormalsFlushedToZero() throws Exception {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            OnnxClassifier.configure(options, InferenceOptions.cpu(2));

            assertThat(options.getConfigEntries()).containsEntry("session.set_denormal_as_zero", "1");
        }
    }

    @Test
    void shouldClassifyAnEmptyBatchWithoutCallingTheModel() {
        assertThat(classifier.classify(List.of())).isEmpty();
    }
}
