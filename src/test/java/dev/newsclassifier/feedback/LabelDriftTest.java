package dev.newsclassifier.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drift of recent predictions from the model's test set, read from its config.json. */
class LabelDriftTest {

    private static final List<String> LABELS = List.of("World", "Sports");

    @TempDir
    Path modelDir;

    private final LabelDrift drift = new LabelDrift(100);

    @BeforeEach
    void reference() throws IOException {
        // The test set's predictions: half World, half Sports; top probabilities all in [0.9, 1].
        Files.writeString(modelDir.resolve("config.json"), """
                {"metrics": {"test_confusion_matrix": [[45, 5], [5, 45]],
                             "test_confidence_histogram": [0, 0, 0, 0, 0, 0, 0, 0, 0, 100]}}""");
        drift.reference(LabelDrift.referenceOf(modelDir, LABELS).orElseThrow(),
                LabelDrift.confidenceReferenceOf(modelDir));
    }

    @Test
    void shouldReadTheReferenceSharesFromTheTestSetsFigures() {
        assertThat(LabelDrift.referenceOf(modelDir, LABELS)).contains(Map.of("World", 0.5, "Sports", 0.5));
        assertThat(LabelDrift.confidenceReferenceOf(modelDir)).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, 1.0);
    }

    @Test
    void shouldSeeNoDriftWhenRecentTrafficLooksLikeTheTestSet() {
        for (int i = 0; i < 50; i++) {
            drift.predicted("World", 0.95f);
            drift.predicted("Sports", 0.97f);
        }

        assertThat(drift.psi()).isCloseTo(0, within(1e-9));
        assertThat(drift.confidencePsi()).isCloseTo(0, within(1e-9));
        assertThat(drift.meanConfidence()).isCloseTo(0.96, within(1e-6));
    }

    @Test
    void shouldSeeDriftWhenOneLabelTakesOverAndTheModelGrowsUnsure() {
        for (int i = 0; i < 100; i++) {
            drift.predicted(i < 90 ? "Sports" : "World", 0.55f);
        }

        assertThat(drift.psi()).isGreaterThan(0.25);
        assertThat(drift.confidencePsi()).isGreaterThan(0.25);
        assertThat(drift.recentShare("Sports")).isEqualTo(0.9);
    }

    @Test
    void shouldForgetPredictionsOlderThanItsWindow() {
        for (int i = 0; i < 100; i++) {
            drift.predicted("Sports", 0.55f);
        }
        for (int i = 0; i < 100; i++) {
            drift.predicted(i % 2 == 0 ? "World" : "Sports", 0.95f);
        }

        assertThat(drift.recentCount()).isEqualTo(100);
        assertThat(drift.psi()).isCloseTo(0, within(1e-9));
        assertThat(drift.confidencePsi()).isCloseTo(0, within(1e-9));
    }

    @Test
    void shouldSayNothingWithoutAReference(@TempDir Path empty) throws IOException {
        Files.writeString(empty.resolve("config.json"), "{\"metrics\": {}}");
        LabelDrift unknown = new LabelDrift(10);
        unknown.reference(LabelDrift.referenceOf(empty, LABELS).orElse(Map.of()), LabelDrift.confidenceReferenceOf(empty));
        unknown.predicted("World", 0.9f);

        assertThat(unknown.psi()).isNaN();
        assertThat(unknown.confidencePsi()).isNaN();
    }
}
