package dev.newsclassifier.cli;

import static dev.newsclassifier.cli.CommandResult.execute;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code explain}: the shipped model's label of an article and the words that decided it. */
class ExplainCommandTest {

    @Test
    void shouldNameTheLabelAndTheWordsThatDecidedIt() {
        var result = execute("explain", "--title", "Striker scores twice as United win the cup final", "--top", "3");

        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(result.out()).contains("article: Sports").contains("scores:  World ")
                .contains("probability of Sports without it")
                .contains("1 article(s) explained with news-classifier-minilm-l6-agnews");
        // The three strongest words, each with a signed weight; a sports headline leans on words like these.
        assertThat(result.out()).containsPattern("(?m)^  (Striker|scores|United|cup|final|win|twice) +\\+0\\.\\d{3}");
    }

    @Test
    void shouldExplainTheFirstArticlesOfAFileWithTheirTrueLabels(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("articles.csv");
        Files.writeString(file, "\"3\",\"Shares tumble after profit warning\",\"The retailer cut its outlook.\"\n"
                + "\"4\",\"New chip doubles battery life\",\"The phone maker unveiled it on Monday.\"\n"
                + "\"1\",\"Ceasefire talks resume\",\"Envoys met in Geneva.\"\n");

        var result = execute("explain", "--input", file.toString(), "--limit", "2");

        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(result.out()).contains("(true: Business)").contains("(true: Sci/Tech)")
                .doesNotContain("(true: World)").contains("2 article(s) explained");
    }

    @Test
    void shouldRefuseNoArticleOrTwoKindsOfInput() {
        assertThat(execute("explain").exit()).isEqualTo(2);
        assertThat(execute("explain", "--title", "x", "--input", "y.csv").err()).contains("either --title");
    }
}
