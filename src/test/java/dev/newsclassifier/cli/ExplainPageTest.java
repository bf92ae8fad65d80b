package dev.newsclassifier.cli;

import static dev.newsclassifier.cli.CommandResult.execute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.newsclassifier.testing.Chromium;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code explain --html}: an offline page with every word of the text shaded by its weight, the strongest words as
 * bars and the model's attention ([CLS]'s row per layer, one head's token × token heatmap), as written, and as
 * headless Chromium renders it (its DOM), when Chromium is installed.
 */
class ExplainPageTest {

    private static final String TITLE = "Striker scores twice as United win the cup final";

    @TempDir
    Path dir;

    @Test
    void shouldWriteAPageWithEveryWordShadedByItsWeight() throws Exception {
        Path page = dir.resolve("explain.html");

        var result = execute("explain", "--title", TITLE, "--html", page.toString());

        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(result.out()).contains("Page: " + page);
        String html = Files.readString(page);
        assertThat(count(html, "class=\"word\" data-weight=")).isEqualTo(TITLE.split(" ").length);
        assertThat(count(html, "class=\"weight-bar\"")).isEqualTo(TITLE.split(" ").length);
        assertThat(html).contains("article: Sports").doesNotContain("<script", "<link", "<img");
        Matcher weights = Pattern.compile("data-weight=\"(-?[0-9.]+)\" style=\"background:rgb\\((\\d+),").matcher(html);
        boolean shaded = false;
        while (weights.find()) {
            shaded |= Double.parseDouble(weights.group(1)) > 0 && Integer.parseInt(weights.group(2)) < 255;
        }
        assertThat(shaded).as("a word that argued for the label is shaded").isTrue();
    }

    @Test
    void shouldShowWhereTheModelLookedInEveryLayerAndTheChosenHead() throws Exception {
        Path page = dir.resolve("explain.html");

        var result = execute("explain", "--title", TITLE, "--html", page.toString(), "--attention-layer", "2",
                "--attention-head", "3");

        assertThat(result.exit()).as(result.err()).isZero();
        String html = Files.readString(page);
        int tokens = count(html, "<th class=\"token\">");
        assertThat(tokens).as("word pieces with [CLS] and [SEP]").isGreaterThanOrEqualTo(TITLE.split(" ").length + 2);
        assertThat(html).contains("<th class=\"token\">[CLS]</th>", "Layer 2, head 3 of 12");
        assertThat(count(html, "class=\"cls-cell\"")).as("[CLS]'s row in each of the 6 layers").isEqualTo(6 * tokens);
        assertThat(count(html, "class=\"attention-cell\"")).isEqualTo(tokens * tokens);
    }

    @Test
    void shouldLeaveTheAttentionOutAndSayWhyWhenTheModelsConfigNamesNone() throws Exception {
        Path model = Files.createDirectories(dir.resolve("model"));
        for (String file : new String[] {"model.onnx", "tokenizer.json"}) {
            Files.copy(Path.of("onnx", "models", "fast", file), model.resolve(file));
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(Path.of("onnx", "models", "fast", "config.json").toFile());
        config.remove("explain");
        json.writeValue(model.resolve("config.json").toFile(), config);
        Path page = dir.resolve("explain.html");

        var result = execute("explain", "--title", TITLE, "--model-dir", model.toString(), "--html", page.toString());

        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(result.err()).contains("The page shows no attention", "--stages explain");
        String html = Files.readString(page);
        assertThat(count(html, "class=\"word\" data-weight=")).isEqualTo(TITLE.split(" ").length);
        assertThat(html).doesNotContain("attention-cell", "Where the model looked");
    }

    @Test
    void shouldRefuseALayerOrHeadTheModelDoesNotHave() {
        var result = execute("explain", "--title", TITLE, "--html", dir.resolve("explain.html").toString(),
                "--attention-layer", "7");

        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.err()).contains("6 layer(s) of 12 heads");
    }

    @Test
    void shouldRenderInHeadlessChromiumWithItsShadedWordsAndBars() throws Exception {
        Path chromium = Chromium.find();
        Path page = dir.resolve("explain.html");
        assertThat(execute("explain", "--title", TITLE, "--html", page.toString()).exit()).isZero();

        Path dom = dir.resolve("dom.html");
        Process process = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=" + Files.createTempDirectory(dir, "p"),
                "--dump-dom", page.toUri().toString()).redirectOutput(dom.toFile())
                .redirectError(dir.resolve("chromium.err").toFile()).start();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("chromium did not finish within 90 s");
        }
        String rendered = Files.readString(dom, StandardCharsets.UTF_8);
        assertThat(count(rendered, "class=\"word\"")).as("shaded words in the DOM; chromium said:%n%s",
                Files.readString(dir.resolve("chromium.err"))).isEqualTo(TITLE.split(" ").length);
        assertThat(count(rendered, "class=\"weight-bar\"")).isEqualTo(TITLE.split(" ").length);
        int tokens = count(rendered, "<th class=\"token\">");
        assertThat(tokens).isGreaterThanOrEqualTo(TITLE.split(" ").length + 2);
        assertThat(count(rendered, "class=\"cls-cell\"")).isEqualTo(6 * tokens);
        assertThat(count(rendered, "class=\"attention-cell\"")).as("the heatmap's cells in the DOM")
                .isEqualTo(tokens * tokens);
    }

    private static int count(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            count++;
        }
        return count;
    }
}
