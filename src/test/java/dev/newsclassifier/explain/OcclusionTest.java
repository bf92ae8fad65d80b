package dev.newsclassifier.explain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.newsclassifier.inference.Classification;
import dev.newsclassifier.inference.Classifier;
import dev.newsclassifier.inference.ModelConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OcclusionTest {

    /**
     * Known answers: Sports starts at 0.25 and each "goal" adds 0.3, each "match" 0.1, each "shares" takes 0.1 away
     * (clamped to [0, 1]); the other three labels share the rest. Every batch it gets is recorded.
     */
    private static final class KeywordClassifier implements Classifier {
        final List<List<String>> calls = new ArrayList<>();

        @Override
        public List<Classification> classify(List<String> texts) {
            calls.add(List.copyOf(texts));
            return texts.stream().map(KeywordClassifier::score).toList();
        }

        private static Classification score(String text) {
            float sports = 0.25f;
            for (String word : text.split(" ")) {
                sports += switch (word) {
                    case "goal" -> 0.3f;
                    case "match" -> 0.1f;
                    case "shares" -> -0.1f;
                    default -> 0f;
                };
            }
            sports = Math.max(0, Math.min(1, sports));
            float rest = (1 - sports) / 3;
            float[] probabilities = {rest, sports, rest, rest};
            return new Classification(sports >= rest ? 1 : 0, probabilities, false);
        }

        @Override
        public ModelConfig model() {
            return new ModelConfig("keywords", "1", List.of("World", "Sports", "Business", "Sci/Tech"), 128,
                    "agnews-text-v1");
        }
    }

    @Test
    void shouldWeighEachWordByTheDropInTheTopLabelsProbabilityWithoutIt() {
        KeywordClassifier model = new KeywordClassifier();

        Explanation explanation = new Occlusion(model, 100).explain("late goal wins match despite shares");

        assertThat(model.model().label(explanation.classification().labelIndex())).isEqualTo("Sports");
        assertThat(explanation.words()).extracting(WordWeight::word)
                .containsExactly("late", "goal", "wins", "match", "despite", "shares");
        float[] weights = new float[explanation.words().size()];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = explanation.words().get(i).weight();
        }
        assertThat(weights).containsExactly(new float[] {0f, 0.3f, 0f, 0.1f, 0f, -0.1f}, within(1e-6f));
        assertThat(explanation.strongest(2)).extracting(WordWeight::word).containsExactly("goal", "match");
    }

    @Test
    void shouldSendTheWholeTextAndEveryVariantInOneCall() {
        KeywordClassifier model = new KeywordClassifier();

        Explanation explanation = new Occlusion(model, 100).explain("goal in extra time");

        assertThat(model.calls).hasSize(1);
        assertThat(model.calls.get(0)).containsExactly("goal in extra time", "in extra time", "goal extra time",
                "goal in time", "goal in extra");
        assertThat(explanation.variants()).isEqualTo(5);
        assertThat(explanation.unweighedWords()).isZero();
    }

    @Test
    void shouldWeighOnlyTheFirstWordsOfALongTextAndKeepTheRestInEveryVariant() {
        KeywordClassifier model = new KeywordClassifier();

        Explanation explanation = new Occlusion(model, 2).explain("goal goal match shares");

        assertThat(explanation.words()).extracting(WordWeight::word).containsExactly("goal", "goal");
        assertThat(explanation.unweighedWords()).isEqualTo(2);
        assertThat(model.calls.get(0)).containsExactly("goal goal match shares", "goal match shares",
                "goal match shares");
    }

    @Test
    void shouldExplainAOneWordTextAgainstTheEmptyText() {
        KeywordClassifier model = new KeywordClassifier();

        Explanation explanation = new Occlusion(model, 10).explain("goal");

        assertThat(model.calls.get(0)).containsExactly("goal", "");
        assertThat(explanation.words()).hasSize(1);
        assertThat(explanation.words().get(0).weight()).isCloseTo(0.3f, within(1e-6f));
    }
}
