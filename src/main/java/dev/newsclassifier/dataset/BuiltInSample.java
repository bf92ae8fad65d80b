package dev.newsclassifier.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/** The 40 handwritten sample articles that ship in the application: the demo's input and the start-up warm-up's. */
public final class BuiltInSample {

    private static final String RESOURCE = "demo/articles.jsonl";

    private BuiltInSample() {
    }

    /** The sample, read as any JSON Lines dataset with these label names. */
    public static List<LabeledArticle> read(List<String> labelNames, boolean skipMalformed) {
        try {
            Path file = Files.createTempFile("sample-articles-", ".jsonl");
            try (InputStream sample = BuiltInSample.class.getClassLoader().getResourceAsStream(RESOURCE)) {
                Files.copy(sample, file, StandardCopyOption.REPLACE_EXISTING);
                return new DatasetReader(labelNames, skipMalformed).readAll(file);
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the built-in sample " + RESOURCE, e);
        }
    }
}
