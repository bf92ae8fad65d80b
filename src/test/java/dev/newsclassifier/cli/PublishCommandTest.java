package dev.newsclassifier.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.newsclassifier.avro.NewsArticle;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Articles as people type them on standard input. */
class PublishCommandTest {

    private static List<NewsArticle> parse(String json) throws IOException {
        return PublishCommand.fromJson(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void shouldReadOnePrettyPrintedObject() throws IOException {
        List<NewsArticle> articles = parse("""
                {
                  "id": "a-1",
                  "title": "Cup final tonight",
                  "description": "Both teams are at full strength.",
                  "source": "Wire",
                  "url": "https://example.com/a-1",
                  "language": "en",
                  "published_at": "2026-11-24T05:00:00Z",
                  "attributes": {"region": "eu"}
                }
                """);

        assertThat(articles).hasSize(1);
        NewsArticle a = articles.get(0);
        assertThat(a.getId()).isEqualTo("a-1");
        assertThat(a.getTitle()).isEqualTo("Cup final tonight");
        assertThat(a.getSource()).isEqualTo("Wire");
        assertThat(a.getUrl()).isEqualTo("https://example.com/a-1");
        assertThat(a.getLanguage()).isEqualTo("en");
        assertThat(a.getPublishedAt()).isEqualTo(Instant.parse("2026-11-24T05:00:00Z"));
        assertThat(a.getAttributes()).containsEntry("region", "eu");
    }

    @Test
    void shouldReadJsonLinesAndGenerateMissingIds() throws IOException {
        List<NewsArticle> articles = parse("""
                {"title": "First", "published_at": 1700000000000}
                {"description": "Second, only a description"}
                """);

        assertThat(articles).extracting(NewsArticle::getTitle).containsExactly("First", "");
        assertThat(articles.get(1).getDescription()).isEqualTo("Second, only a description");
        assertThat(articles.get(0).getPublishedAt()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
        assertThat(articles.get(0).getId()).matches("[0-9a-f-]{36}").isNotEqualTo(articles.get(1).getId());
    }

    @Test
    void shouldNameTheObjectThatHasNoText() {
        assertThatThrownBy(() -> parse("{\"title\": \"ok\"}\n{\"id\": \"x\"}\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("JSON object 2 has neither title nor description");
    }

    @Test
    void shouldReportInvalidJsonWithItsLine() {
        assertThatThrownBy(() -> parse("{\"title\": \"ok\"}\n{\"title\": "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Standard input is not valid JSON")
                .hasMessageContaining("line 2");
    }

    @Test
    void shouldRejectAnUnreadableDate() {
        assertThatThrownBy(() -> parse("{\"title\": \"ok\", \"published_at\": \"yesterday\"}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("published_at 'yesterday'");
    }
}
