package dev.newsclassifier.cli;

import dev.newsclassifier.dataset.DatasetReader;
import dev.newsclassifier.dataset.LabeledArticle;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/** The articles a run publishes: a file the user named, or the 40 handwritten sample articles. */
final class SampleArticles {

    private static final String SAMPLE = "demo/articles.jsonl";

    private SampleArticles() {
    }

    static List<LabeledArticle> read(Optional<String> input, List<String> labels, boolean skipMalformed)
            throws IOException {
        if (input.isPresent()) {
            return new DatasetReader(labels, skipMalformed).readAll(Path.of(input.get()));
        }
        Path file = Files.createTempFile("sample-articles-", ".jsonl");
        try (InputStream sample = SampleArticles.class.getClassLoader().getResourceAsStream(SAMPLE)) {
            Files.copy(sample, file, StandardCopyOption.REPLACE_EXISTING);
            return new DatasetReader(labels, skipMalformed).readAll(file);
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
