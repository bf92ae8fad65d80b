package dev.newsclassifier.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsTest {

    private static final double EPS = 1e-9;

    /**
     * Rows true, columns predicted:
     * <pre>
     *        A  B  C  D
     *   A    5  1  0  0   support 6
     *   B    2  3  1  0   support 6
     *   C    0  0  4  0   support 4
     *   D    0  0  0  0   support 0
     * predicted 7  4  5  0
     * </pre>
     */
    private static Metrics knownMatrix() {
        ConfusionMatrix matrix = new ConfusionMatrix(List.of("A", "B", "C", "D"));
        add(matrix, "A", "A", 5);
        add(matrix, "A", "B", 1);
        add(matrix, "B", "A", 2);
        add(matrix, "B", "B", 3);
        add(matrix, "B", "C", 1);
        add(matrix, "C", "C", 4);
        return Metrics.of(matrix);
    }

    private static void add(ConfusionMatrix matrix, String truth, String predicted, int times) {
        for (int i = 0; i < times; i++) {
            matrix.add(truth, predicted);
        }
    }

    @Test
    void shouldComputeAccuracyFromTheDiagonal() {
        Metrics m = knownMatrix();

        assertThat(m.total()).isEqualTo(16);
        assertThat(m.correct()).isEqualTo(12);
        assertThat(m.accuracy()).isCloseTo(0.75, within(EPS));
        assertThat(m.confusion()[1]).containsExactly(2, 3, 1, 0);
    }

    @Test
    void shouldComputePerClassPrecisionRecallAndF1ByHand() {
        Metrics m = knownMatrix();
        ClassMetrics a = m.perClass().get(0);
        ClassMetrics b = m.perClass().get(1);
        ClassMetrics c = m.perClass().get(2);

        assertThat(a.precision()).isCloseTo(5.0 / 7, within(EPS));
        assertThat(a.recall()).isCloseTo(5.0 / 6, within(EPS));
        assertThat(a.f1()).isCloseTo(10.0 / 13, within(EPS));
        assertThat(a.support()).isEqualTo(6);
        assertThat(a.predicted()).isEqualTo(7);
        assertThat(b.precision()).isCloseTo(0.75, within(EPS));
        assertThat(b.recall()).isCloseTo(0.5, within(EPS));
        assertThat(b.f1()).isCloseTo(0.6, within(EPS));
        assertThat(c.precision()).isCloseTo(0.8, within(EPS));
        assertThat(c.recall()).isCloseTo(1.0, within(EPS));
        assertThat(c.f1()).isCloseTo(8.0 / 9, within(EPS));
    }

    @Test
    void shouldCountALabelNeitherPresentNorPredictedAsZeroAndLeaveItOutOfMacroF1() {
        Metrics m = knownMatrix();
        ClassMetrics d = m.perClass().get(3);

        assertThat(d.precision()).isZero();
        assertThat(d.recall()).isZero();
        assertThat(d.f1()).isZero();
        assertThat(m.macroF1()).isCloseTo((10.0 / 13 + 0.6 + 8.0 / 9) / 3, within(EPS));
        assertThat(m.macroF1()).isCloseTo(0.7527065527, within(1e-9));
    }

    @Test
    void shouldCountANeverPredictedLabelWithSupportInMacroF1() {
        ConfusionMatrix matrix = new ConfusionMatrix(List.of("A", "B"));
        add(matrix, "A", "A", 3);
        add(matrix, "B", "A", 1);

        Metrics m = Metrics.of(matrix);

        assertThat(m.perClass().get(0).precision()).isCloseTo(0.75, within(EPS));
        assertThat(m.perClass().get(0).f1()).isCloseTo(6.0 / 7, within(EPS));
        assertThat(m.perClass().get(1).precision()).isZero();
        assertThat(m.macroF1()).isCloseTo(3.0 / 7, within(EPS));
    }

    @Test
    void shouldAppendALabelTheModelDoesNotKnow() {
        ConfusionMatrix matrix = new ConfusionMatrix(List.of("A", "B"));
        matrix.add("Politics", "A").add("A", "A");

        Metrics m = Metrics.of(matrix);

        assertThat(m.labels()).containsExactly("A", "B", "Politics");
        assertThat(m.confusion()[2]).containsExactly(1, 0, 0);
        assertThat(m.accuracy()).isCloseTo(0.5, within(EPS));
    }

    @Test
    void shouldScoreOnlyPredictionsWithAKnownLabel() {
        List<Prediction> predictions = List.of(
                new Prediction("1", "t", "A", "A", 0.9, 0, 10),
                new Prediction("2", "t", "A", "B", 0.6, 0, 10),
                new Prediction("3", "t", null, "B", 0.7, 0, 10));

        Metrics m = Evaluation.metrics(predictions, List.of("A", "B"));

        assertThat(m.total()).isEqualTo(2);
        assertThat(m.accuracy()).isCloseTo(0.5, within(EPS));
    }
}
