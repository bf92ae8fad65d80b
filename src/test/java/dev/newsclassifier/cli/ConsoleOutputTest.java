package dev.newsclassifier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.newsclassifier.evaluation.TextTable;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tables and progress as they appear in a terminal or a log. */
class ConsoleOutputTest {

    @Test
    void shouldAlignColumnsRightAlignNumbersAndClipLongCells() {
        StringWriter text = new StringWriter();
        new TextTable("ID", "PARTITION>", "TITLE").maxWidth(2, 10)
                .row("a-1", 0, "Short")
                .row("article-22", 12, "A title far too long to fit")
                .print(new PrintWriter(text), "");

        assertThat(text.toString().lines().toList()).containsExactly(
                "ID          PARTITION  TITLE",
                "a-1                 0  Short",
                "article-22         12  A title f\u2026");
    }

    @Test
    void shouldPrintPlainProgressLinesWhenNotOnATerminal() {
        StringWriter text = new StringWriter();
        Progress progress = new Progress(new PrintWriter(text), "published", 40, false);
        progress.advance(40);
        progress.finish();

        List<String> lines = text.toString().lines().toList();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).matches("published 40/40 \\(100%\\), [0-9.]+/s, 0:00 elapsed");
    }

    @Test
    void shouldDrawABarWithEtaOnATerminal() throws InterruptedException {
        StringWriter text = new StringWriter();
        Progress progress = new Progress(new PrintWriter(text), "published", 100, true);
        Thread.sleep(250);
        progress.advance(25);

        assertThat(text.toString()).startsWith("\r[#######.......................] published 25/100 (25%)")
                .containsPattern("ETA 0:0\\d");
    }

    @Test
    void shouldFormatDurations() {
        assertThat(Progress.duration(5)).isEqualTo("0:05");
        assertThat(Progress.duration(125)).isEqualTo("2:05");
        assertThat(Progress.duration(3725)).isEqualTo("1:02:05");
    }
}
