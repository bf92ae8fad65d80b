package dev.newsclassifier.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConstantClassifierTest {

    @Test
    void shouldGiveEveryTextTheModelsFirstLabelWithCertainty() {
        ModelConfig model = new ModelConfig("m", "1", List.of("World", "Sports", "Business", "Sci/Tech"), 128,
                "agnews-text-v1");

        List<Classification> results = new ConstantClassifier(model).classify(List.of("a", "b", "c"));

        assertThat(results).hasSize(3).allSatisfy(result -> {
            assertThat(result.labelIndex()).isZero();
            assertThat(result.probabilities()).containsExactly(1f, 0f, 0f, 0f);
            assertThat(result.truncated()).isFalse();
        });
    }
}
