package dev.newsclassifier.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.newsclassifier.testing.Chromium;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens report.html in headless Chromium, as a person would open it offline: the page must
 * render (a screenshot that is not blank) and its charts must be in the DOM. Skipped when
 * Chromium is not installed, unless {@code NEWS_CLASSIFIER_REQUIRE_CHROMIUM=1}.
 */
class ReportRenderingTest {

    @TempDir
    Path dir;

    @Test
    void shouldRenderTheReportWithItsChartsInHeadlessChromium() throws Exception {
        Path chromium = Chromium.find();
        ReportWriter.write(SampleReports.full(), dir);
        Path html = dir.resolve("report.html");
        Path png = dir.resolve("report.png");

        Run shot = run(chromium, "--screenshot=" + png, "--window-size=1200,1600", html.toUri().toString());
        assertThat(png).as("screenshot; chromium said:%n%s", shot.output()).exists();
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(1200);
        Set<Integer> colours = new HashSet<>();
        long nonWhite = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                colours.add(rgb);
                nonWhite += rgb == 0xffffff ? 0 : 1;
            }
        }
        assertThat(colours.size()).as("distinct colours").isGreaterThan(50);
        assertThat(nonWhite).as("non-white pixels").isGreaterThan(image.getWidth() * (long) image.getHeight() / 20);
        assertThat(colours).as("the heatmap's darkest blue, the bars' blue and orange")
                .contains(0x4e79a7, 0xf28e2b);

        Run dom = run(chromium, "--dump-dom", html.toUri().toString());
        String page = dom.output();
        assertThat(count(page, "class=\"heatmap-cell\"")).as("heatmap cells").isEqualTo(16);
        assertThat(count(page, "class=\"bar bar-")).as("per-class bars").isEqualTo(12);
        assertThat(count(page, "class=\"histogram-bar\"")).as("histogram bars").isEqualTo(20);
        assertThat(page).as("throughput path").containsPattern("class=\"throughput-line\" d=\"M[0-9.]+ [0-9.]+ L");
        assertThat(count(page, "class=\"reliability-bin\"")).as("reliability bins with articles").isEqualTo(5);
        assertThat(count(page, "class=\"misclassified-row\"")).as("misclassified articles listed").isEqualTo(40);
        assertThat(count(page, "<svg")).isEqualTo(5);
    }

    private record Run(int exit, String output) {
    }

    private Run run(Path chromium, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-dev-shm-usage", "--user-data-dir=" + Files.createTempDirectory(dir, "profile")));
        command.addAll(List.of(args));
        Path log = Files.createTempFile(dir, "chromium-", ".out");
        Path errors = Files.createTempFile(dir, "chromium-", ".err");
        Process process = new ProcessBuilder(command).redirectOutput(log.toFile()).redirectError(errors.toFile()).start();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("chromium did not finish within 90 s: " + Files.readString(errors, StandardCharsets.UTF_8));
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        return new Run(process.exitValue(), output.isBlank() ? Files.readString(errors, StandardCharsets.UTF_8) : output);
    }

    private static int count(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            count++;
        }
        return count;
    }
}
