package dev.newsclassifier.cli;

import static dev.newsclassifier.cli.CommandResult.execute;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code replay} decides before it talks to Kafka (the round trip covers the rest). */
class ReplayCommandTest {

    @TempDir
    Path dir;

    @Test
    void shouldStopAtTheFirstMalformedRecordNamingItBeforePublishingAnything() throws IOException {
        Path file = ToolTestData.agNewsCsv(dir.resolve("history.csv"), 5, 2);

        // The broker address is unreachable on purpose: nothing may be sent.
        var result = execute("replay", "--file", file.toString(), "-b", "127.0.0.1:1", "-r", "http://127.0.0.1:1");

        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.err()).contains("Malformed record, stopping (use --skip-malformed to skip such records): ")
                .contains("history.csv:3: label 'Sports' is not a number");
        assertThat(result.out()).doesNotContain("Replaying");
    }

    @Test
    void shouldRefuseToLoopForeverAtFullSpeed() throws IOException {
        Path file = ToolTestData.agNewsCsv(dir.resolve("history.csv"), 3, 0);

        var result = execute("replay", "--file", file.toString(), "--loop");

        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.err()).contains("--loop needs --rate or --limit");
    }

    @Test
    void shouldNameAFileItCannotRead() {
        var result = execute("replay", "--file", dir.resolve("missing.csv").toString());

        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.err()).contains("Cannot read").contains("missing.csv");
    }

    @Test
    void shouldGenerateDistinctReadableRunIds() {
        String first = ReplayCommand.generatedRunId();
        String second = ReplayCommand.generatedRunId();

        assertThat(first).matches("replay-\\d{8}-\\d{6}-[0-9a-f]{4}");
        assertThat(first).isNotEqualTo(second);
    }
}
