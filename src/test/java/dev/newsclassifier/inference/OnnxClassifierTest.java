package dev.newsclassifier.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OrtSession;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shipped default model, run by ONNX Runtime on the CPU. */
class OnnxClassifierTest {

    private static OnnxClassifier classifier;

    @BeforeAll
    static void load() {
        classifier = OnnxClassifier.load(DefaultModel.DIR, new InferenceOptions(InferenceOptions.Device.CPU, 0, false, 2, 4, 1, true));
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

    @Test
    void shouldGiveEachTextItsOwnScoresWhenChunksRunConcurrently() {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            // Lengths differ and are out of order, so chunks and the order they finish in both reshuffle the batch.
            texts.add(i % 3 == 0 ? "Oil prices climb " + i
                    : "The league's top striker signed a new four-year contract on Friday, the club said " + i
                            + " times over, ending months of talks");
        }
        List<Classification> sequential = classifier.classify(texts);
        InferenceOptions concurrent = new InferenceOptions(InferenceOptions.Device.CPU, 0, false, 1, 2, 3, true);

        try (OnnxClassifier parallel = OnnxClassifier.load(DefaultModel.DIR, concurrent)) {
            List<Classification> results = parallel.classify(texts);

            for (int i = 0; i < texts.size(); i++) {
                assertThat(results.get(i).labelIndex()).as(texts.get(i)).isEqualTo(sequential.get(i).labelIndex());
                assertThat(results.get(i).probabilities()).as(texts.get(i))
                        .containsExactly(sequential.get(i).probabilities(), within(1e-4f));
            }
        }
        assertThat(Thread.getAllStackTraces().keySet()).as("close() stops the chunk threads")
                .noneMatch(thread -> thread.getName().startsWith("onnx-chunk-") && thread.isAlive());
    }

    @Test
    void shouldFitConcurrentChunksToTheCoresUnlessSet() {
        InferenceOptions.Device cpu = InferenceOptions.Device.CPU;
        assertThat(cpuOptions(1, 0).concurrentChunks(cpu, 4)).isEqualTo(4);
        assertThat(cpuOptions(2, 0).concurrentChunks(cpu, 4)).isEqualTo(2);
        assertThat(cpuOptions(0, 0).concurrentChunks(cpu, 4)).as("ONNX Runtime already takes every core").isEqualTo(1);
        assertThat(cpuOptions(4, 0).concurrentChunks(cpu, 2)).isEqualTo(1);
        assertThat(cpuOptions(1, 3).concurrentChunks(cpu, 8)).isEqualTo(3);
        InferenceOptions cuda = new InferenceOptions(InferenceOptions.Device.CUDA, 0, true, 1, 2, 0, true);
        assertThat(cuda.concurrentChunks(InferenceOptions.Device.CUDA, 8)).as("a GPU runs one chunk at a time").isEqualTo(1);
        assertThat(cuda.concurrentChunks(cpu, 8)).as("after falling back to the CPU").isEqualTo(8);
    }

    private static InferenceOptions cpuOptions(int intraOpThreads, int concurrentChunks) {
        return new InferenceOptions(InferenceOptions.Device.CPU, 0, false, intraOpThreads, 2, concurrentChunks, true);
    }
}
