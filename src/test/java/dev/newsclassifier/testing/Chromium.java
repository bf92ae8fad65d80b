package dev.newsclassifier.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Headless Chromium for the tests that open a page as a person would (Debian package {@code chromium}). */
public final class Chromium {

    private Chromium() {
    }

    /**
     * The browser on the PATH; aborts the test when there is none, unless {@code NEWS_CLASSIFIER_REQUIRE_CHROMIUM=1}
     * (CI), which fails it.
     */
    public static Path find() {
        for (String name : List.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")) {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        if ("1".equals(System.getenv("NEWS_CLASSIFIER_REQUIRE_CHROMIUM"))) {
            fail("Chromium is required (NEWS_CLASSIFIER_REQUIRE_CHROMIUM=1) but none is on the PATH; apt-get install chromium");
        }
        abort("Chromium is not installed (apt-get install chromium); skipping the rendering check");
        return null;
    }
}
