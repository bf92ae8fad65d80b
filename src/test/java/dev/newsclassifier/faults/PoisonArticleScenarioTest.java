package dev.newsclassifier.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.newsclassifier.dataset.LabeledArticle;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PoisonArticleScenarioTest {

    private static final List<LabeledArticle> TEXTS = List.of(
            new LabeledArticle("a", "Markets rally", "Shares rose.", "Wire", "Business", 1),
            new LabeledArticle("b", "Team wins", null, "Wire", "Sports", 2));

    @Test
    void shouldKeyEveryPoisonArticleToOnePartitionFarApart() {
        for (int count : new int[] {300, 1000}) {
            List<Integer> positions = PoisonArticleScenario.poisonPositions("poison-article", count, 3);

            assertThat(positions).hasSize(PoisonArticleScenario.POISONED);
            assertThat(positions.stream().map(i -> PoisonArticleScenario.partitionOf(
                    ArticleLoad.id("poison-article", i), 3)).distinct()).hasSize(1);
            assertThat(positions.get(0)).isGreaterThanOrEqualTo(count / 4);
            assertThat(positions.get(2)).isLessThan(count);
            // Farther apart than a batch of the shipped max-size (32) holds.
            assertThat(positions.get(1) - positions.get(0)).isGreaterThan(32);
            assertThat(positions.get(2) - positions.get(1)).isGreaterThan(32);
        }
    }

    @Test
    void shouldPutTheMarkerInTheTitleOrTheDescriptionOfThePoisonArticlesOnly() {
        List<LabeledArticle> texts = PoisonArticleScenario.withPoison(TEXTS, 10, List.of(2, 3, 7));

        assertThat(texts).hasSize(10);
        assertThat(texts.get(2).title()).isEqualTo(PoisonArticleScenario.MARKER + " Markets rally");
        assertThat(texts.get(2).description()).isEqualTo("Shares rose.");
        assertThat(texts.get(3).title()).isEqualTo("Team wins");
        assertThat(texts.get(3).description()).isEqualTo(" " + PoisonArticleScenario.MARKER);
        assertThat(texts.get(7).title()).startsWith(PoisonArticleScenario.MARKER);
        assertThat(IntStream.range(0, 10).filter(i -> (texts.get(i).title() + texts.get(i).description())
                .contains(PoisonArticleScenario.MARKER))).containsExactly(2, 3, 7);
    }
}
