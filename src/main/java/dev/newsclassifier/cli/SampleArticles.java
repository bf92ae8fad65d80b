package dev.newsclassifier.cli;

import dev.newsclassifier.dataset.BuiltInSample;
import dev.newsclassifier.dataset.DatasetReader;
import dev.newsclassifier.dataset.LabeledArticle;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The articles a run publishes: a file the user named, or the 40 handwritten sample articles. */
final class SampleArticles {

    private SampleArticles() {
    }

    static List<LabeledArticle> read(Optional<String> input, List<String> labels, boolean skipMalformed)
            throws IOException {
        if (input.isPresent()) {
            return new DatasetReader(labels, skipMalformed).readAll(Path.of(input.get()));
        }
        return BuiltInSample.read(labels, skipMalformed);
    }
}
