package dev.newsclassifier.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DelayedClassifierTest {

    private static final ModelConfig MODEL = new ModelConfig("fixed", "1", List.of("World", "Sports"), 128,
            TextRule.ID);

    /** Answers at once with the first label for every text. */
    private static final Classifier FIXED = new Classifier() {
        @Override
        public List<Classification> classify(List<String> texts) {
            return texts.stream().map(text -> new Classification(0, new float[] {0.9f, 0.1f}, false)).toList();
        }

        @Override
        public ModelConfig model() {
            return MODEL;
        }
    };

    @Test
    void shouldMakeEveryBatchTakeAtLeastTheDelay() {
        Classifier slow = DelayedClassifier.atLeast(FIXED, Duration.ofMillis(200));

        for (int batch = 0; batch < 2; batch++) {
            long started = System.nanoTime();
            List<Classification> results = slow.classify(List.of("a", "b"));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
            assertThat(results).extracting(Classification::labelIndex).containsExactly(0, 0);
        }
        assertThat(slow.model()).isSameAs(MODEL);
    }

    @Test
    void shouldLeaveTheClassifierAsItIsWithoutADelay() {
        assertThat(DelayedClassifier.atLeast(FIXED, Duration.ZERO)).isSameAs(FIXED);
    }

    @Test
    void shouldRejectANegativeDelay() {
        assertThatThrownBy(() -> DelayedClassifier.atLeast(FIXED, Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
    }
}
