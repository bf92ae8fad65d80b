package dev.newsclassifier.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetReaderTest {

    private static final List<String> LABELS = List.of("World", "Sports", "Business", "Sci/Tech");

    @TempDir
    Path dir;

    private final DatasetReader reader = new DatasetReader(LABELS, false);

    @Test
    void shouldReadOriginalAgNewsLayoutWithDoubledQuotesAndQuirks() throws IOException {
        Path file = Files.writeString(dir.resolve("sample.csv"), """
                "3","Oil #39;s rally","Crude rose to  #36;50\\a barrel"
                "2","Cup ""final"" tonight","Fans, players, and ""pundits"" wait"
                """);

        List<LabeledArticle> articles = reader.readAll(file);

        assertThat(articles).containsExactly(
                new LabeledArticle("sample-1", "Oil #39;s rally", "Crude rose to  #36;50\\a barrel", null, "Business", 1),
                new LabeledArticle("sample-2", "Cup \"final\" tonight", "Fans, players, and \"pundits\" wait", null,
                        "Sports", 2));
    }

    @Test
    void shouldReadTrainExtraRowsOfEveryTierIncludingAnEmptyTitle() throws IOException {
        Path file = Files.writeString(dir.resolve("train_extra.csv"), """
                "3","Stocks fall","Markets slid on Friday"
                "4","","Probe lands on comet Scientists cheered the landing"
                "1","","Ceasefire holds in capitalTalks resume on Monday"
                "3","","Profits at the bank rose #36;2 billion"
                "3","stocks fall","markets slid on friday"
                """);

        List<LabeledArticle> articles = reader.readAll(file);

        assertThat(articles).extracting(LabeledArticle::label)
                .containsExactly("Business", "Sci/Tech", "World", "Business", "Business");
        assertThat(articles.subList(1, 4)).allSatisfy(article -> assertThat(article.title()).isEmpty());
        assertThat(articles.get(2).description()).isEqualTo("Ceasefire holds in capitalTalks resume on Monday");
        assertThat(articles.get(4)).isEqualTo(
                new LabeledArticle("train_extra-5", "stocks fall", "markets slid on friday", null, "Business", 5));
    }

    @Test
    void shouldReadHuggingFaceLayoutWithZeroBasedLabels() throws IOException {
        Path file = Files.writeString(dir.resolve("hf.csv"), """
                "Chip maker unveils faster processor Engineers said it doubles speed",3
                "Talks resume in Geneva Diplomats met again",0
                """);

        List<LabeledArticle> articles = reader.readAll(file);

        assertThat(articles).extracting(LabeledArticle::label).containsExactly("Sci/Tech", "World");
        assertThat(articles.get(0).title()).isEmpty();
        assertThat(articles.get(0).description()).isEqualTo("Chip maker unveils faster processor Engineers said it doubles speed");
    }

    @Test
    void shouldKeepLineBreaksInsideQuotedFieldsAndCountLines() throws IOException {
        Path file = Files.writeString(dir.resolve("multi.csv"), "\"1\",\"Two\nline title\",\"desc\"\n\"4\",\"Next\",\"d\"\n");

        List<LabeledArticle> articles = reader.readAll(file);

        assertThat(articles.get(0).title()).isEqualTo("Two\nline title");
        assertThat(articles.get(1).line()).isEqualTo(3);
    }

    @Test
    void shouldReadJsonLinesWithNamedOrNumericLabels() throws IOException {
        Path file = Files.writeString(dir.resolve("articles.jsonl"), """
                {"id": "a-1", "title": "Match", "description": "Won", "source": "Wire", "label": "Sports"}

                {"title": "Rates", "description": "Up", "label": 2}
                {"title": "No label", "description": "Unknown topic"}
                """);

        List<LabeledArticle> articles = reader.readAll(file);

        assertThat(articles).containsExactly(
                new LabeledArticle("a-1", "Match", "Won", "Wire", "Sports", 1),
                new LabeledArticle("articles-3", "Rates", "Up", null, "Business", 3),
                new LabeledArticle("articles-4", "No label", "Unknown topic", null, null, 4));
    }

    @Test
    void shouldStopAtTheFirstMalformedRecordNamingFileAndLine() throws IOException {
        Path file = Files.writeString(dir.resolve("bad.csv"), "\"1\",\"ok\",\"fine\"\n\"9\",\"bad\",\"label\"\n");

        assertThatThrownBy(() -> reader.readAll(file))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessage(file + ":2: label 9 is outside 1..4");
    }

    @Test
    void shouldSkipMalformedRecordsAndReportEachWhenAskedTo() throws IOException {
        Path file = Files.writeString(dir.resolve("mixed.jsonl"), """
                {"title": "Good", "description": "one"}
                {not json
                {"title": "", "description": ""}
                {"title": "Good", "description": "two", "label": "Weather"}
                {"title": "Good", "description": "three"}
                """);
        List<LabeledArticle> read = new ArrayList<>();
        List<String> errors = new ArrayList<>();

        new DatasetReader(LABELS, true).read(file, read::add, error -> errors.add(error.getMessage()));

        assertThat(read).extracting(LabeledArticle::description).containsExactly("one", "three");
        assertThat(errors).hasSize(3);
        assertThat(errors.get(0)).startsWith(file + ":2: not valid JSON");
        assertThat(errors.get(1)).isEqualTo(file + ":3: record has neither title nor description");
        assertThat(errors.get(2)).isEqualTo(file + ":4: label 'Weather' is not a number");
    }

    @Test
    void shouldReportAnUnterminatedQuote() throws IOException {
        Path file = Files.writeString(dir.resolve("open.csv"), "\"1\",\"ok\",\"d\"\n\"2\",\"never closed,x\n");

        assertThatThrownBy(() -> reader.readAll(file)).hasMessage(file + ":2: unterminated quoted field");
    }
}
