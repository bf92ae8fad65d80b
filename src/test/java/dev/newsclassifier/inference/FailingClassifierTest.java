package dev.newsclassifier.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FailingClassifierTest {

    private static final ModelConfig MODEL = new ModelConfig("fixed", "1", List.of("World", "Sports"), 128,
            TextRule.ID);

    private final List<List<String>> calls = new ArrayList<>();

    /** Answers with the first label for every text and records each call. */
    private final Classifier fixed = new Classifier() {
        @Override
        public List<Classification> classify(List<String> texts) {
            calls.add(texts);
            return texts.stream().map(text -> new Classification(0, new float[] {0.9f, 0.1f}, false)).toList();
        }

        @Override
        public ModelConfig model() {
            return MODEL;
        }
    };

    @Test
    void shouldFailTheWholeCallWhenAnyTextContainsTheMarker() {
        Classifier failing = FailingClassifier.onMarker(fixed, Optional.of("POISON"));

        assertThatThrownBy(() -> failing.classify(List.of("fine", "a POISON pill", "fine too")))
                .isInstanceOf(InferenceException.class)
                .hasMessage("fault injection: 1 of 3 texts contain the poison marker");
        assertThat(calls).as("the model is not called").isEmpty();
    }

    @Test
    void shouldClassifyTextsWithoutTheMarker() {
        Classifier failing = FailingClassifier.onMarker(fixed, Optional.of("POISON"));

        assertThat(failing.classify(List.of("fine", "poison in lower case"))).extracting(Classification::labelIndex)
                .containsExactly(0, 0);
        assertThat(failing.model()).isSameAs(MODEL);
    }

    @Test
    void shouldLeaveTheClassifierAsItIsWithoutAMarker() {
        assertThat(FailingClassifier.onMarker(fixed, Optional.empty())).isSameAs(fixed);
    }

    @Test
    void shouldRejectABlankMarker() {
        assertThatThrownBy(() -> FailingClassifier.onMarker(fixed, Optional.of(" ")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("poison marker must not be blank");
    }
}
