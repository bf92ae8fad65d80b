package dev.newsclassifier.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.newsclassifier.inference.Classification;
import dev.newsclassifier.inference.Classifier;
import dev.newsclassifier.inference.ModelConfig;
import dev.newsclassifier.topology.BufferStoreKind;
import dev.newsclassifier.topology.ReviewPolicy;
import dev.newsclassifier.topology.TopologySettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class StartUpWarmUpTest {

    private static final TopologySettings SETTINGS = new TopologySettings("news.raw", "news.labeled", "news.dead-letter",
            16, Duration.ofMillis(100), 10_000, 2_097_152, 3_145_728, BufferStoreKind.PERSISTENT,
            new ReviewPolicy(OptionalDouble.empty(), OptionalDouble.empty()), Optional.empty());

    /** Records the batches it is given; labels everything World. */
    private static final class RecordingClassifier implements Classifier {
        final List<List<String>> batches = new ArrayList<>();

        @Override
        public List<Classification> classify(List<String> texts) {
            batches.add(List.copyOf(texts));
            return texts.stream().map(text -> new Classification(0, new float[] {0.7f, 0.1f, 0.1f, 0.1f}, false))
                    .toList();
        }

        @Override
        public ModelConfig model() {
            return new ModelConfig("recording", "1", List.of("World", "Sports", "Business", "Sci/Tech"), 128,
                    "agnews-text-v1");
        }
    }

    @Test
    void shouldRunTheSampleThroughTheTopologyInFullBatchesAndLabelEveryArticle() {
        RecordingClassifier classifier = new RecordingClassifier();

        int labeled = StartUpWarmUp.run(SETTINGS, classifier, 100);

        assertThat(labeled).isEqualTo(100);
        assertThat(classifier.batches).extracting(List::size).containsExactly(16, 16, 16, 16, 16, 16, 4);
        assertThat(classifier.batches.get(0).get(0)).as("the sample's text after the text rule")
                .startsWith("UN envoy opens ceasefire talks in Geneva Delegations");
    }

    @Test
    void shouldDoNothingWhenTurnedOff() {
        RecordingClassifier classifier = new RecordingClassifier();

        assertThat(StartUpWarmUp.run(SETTINGS, classifier, 0)).isZero();
        assertThat(classifier.batches).isEmpty();
    }
}
