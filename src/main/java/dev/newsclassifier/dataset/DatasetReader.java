package dev.newsclassifier.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * Reads labeled articles from
 * <ul>
 *   <li>AG News CSV, original layout: {@code "class_index","title","description"}, classes 1..4;</li>
 *   <li>AG News CSV, Hugging Face layout: {@code "text",label}, labels 0..3, title and description
 *       already joined (the whole text becomes the description);</li>
 *   <li>JSON Lines: {@code {"id", "title", "description", "source", "label"}}, only title or
 *       description required.</li>
 * </ul>
 * The format is chosen by extension ({@code .jsonl}/{@code .json} or CSV, optionally
 * {@code .gz}) and, for CSV, by the column count of each record. RFC 4180 quoting (doubled
 * quotes, line breaks inside quotes) is honoured; the data's own quirks (backslashes, entities)
 * are left for the text rule. Label numbers become names through {@code labelNames}, the
 * model's labels in index order. Records without an id get one derived from the file line,
 * so the same file always yields the same ids.
 */
public final class DatasetReader {

    private final List<String> labelNames;
    private final boolean skipMalformed;

    /**
     * @param labelNames label names in index order (the model's id2label)
     * @param skipMalformed report malformed records to the error handler and go on, instead of stopping
     */
    public DatasetReader(List<String> labelNames, boolean skipMalformed) {
        this.labelNames = List.copyOf(labelNames);
        this.skipMalformed = skipMalformed;
    }

    public List<LabeledArticle> readAll(Path file) {
        List<LabeledArticle> articles = new ArrayList<>();
        read(file, articles::add, error -> { });
        return articles;
    }

    /** Streams the file's articles to {@code sink}; malformed records go to {@code errors} when skipped. */
    public void read(Path file, Consumer<LabeledArticle> sink, Consumer<DatasetFormatException> errors) {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).replaceFirst("\\.gz$", "");
        boolean json = name.endsWith(".jsonl") || name.endsWith(".json") || name.endsWith(".ndjson");
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            if (json) {
                readJsonLines(file, reader, sink, errors);
            } else {
                readCsv(file, reader, sink, errors);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private void readJsonLines(Path file, BufferedReader reader, Consumer<LabeledArticle> sink,
            Consumer<DatasetFormatException> errors) throws IOException {
        ObjectMapper json = new ObjectMapper();
        String line;
        long number = 0;
        while ((line = reader.readLine()) != null) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            try {
                JsonNode node = json.readTree(line);
                if (!node.isObject()) {
                    throw new DatasetFormatException(file, number, "expected a JSON object");
                }
                String title = node.path("title").asText("");
                String description = node.path("description").asText(node.path("text").asText(""));
                if (title.isBlank() && description.isBlank()) {
                    throw new DatasetFormatException(file, number, "record has neither title nor description");
                }
                String label = node.hasNonNull("label") ? labelName(file, number, node.get("label").asText()) : null;
                String id = node.hasNonNull("id") ? node.get("id").asText() : generatedId(file, number);
                String source = node.hasNonNull("source") ? node.get("source").asText() : null;
                sink.accept(new LabeledArticle(id, title, description, source, label, number));
            } catch (DatasetFormatException e) {
                handle(e, errors);
            } catch (IOException e) {
                handle(new DatasetFormatException(file, number, "not valid JSON (" + e.getMessage().lines().findFirst()
                        .orElse("") + ")"), errors);
            }
        }
    }

    private void readCsv(Path file, BufferedReader reader, Consumer<LabeledArticle> sink,
            Consumer<DatasetFormatException> errors) throws IOException {
        CsvRecords records = new CsvRecords(reader);
        CsvRecords.Row row;
        while ((row = records.next()) != null) {
            try {
                if (row.error() != null) {
                    throw new DatasetFormatException(file, row.line(), row.error());
                }
                List<String> fields = row.fields();
                if (fields.size() == 3) {
                    String label = labelFromNumber(file, row.line(), fields.get(0), 1);
                    sink.accept(new LabeledArticle(generatedId(file, row.line()), fields.get(1), fields.get(2), null,
                            label, row.line()));
                } else if (fields.size() == 2) {
                    String label = labelFromNumber(file, row.line(), fields.get(1), 0);
                    sink.accept(new LabeledArticle(generatedId(file, row.line()), "", fields.get(0), null, label,
                            row.line()));
                } else {
                    throw new DatasetFormatException(file, row.line(), "expected 3 fields (class_index,title,description) "
                            + "or 2 (text,label), found " + fields.size());
                }
            } catch (DatasetFormatException e) {
                handle(e, errors);
            }
        }
    }

    private void handle(DatasetFormatException error, Consumer<DatasetFormatException> errors) {
        if (!skipMalformed) {
            throw error;
        }
        errors.accept(error);
    }

    private String labelFromNumber(Path file, long line, String value, int firstIndex) {
        try {
            int index = Integer.parseInt(value.strip()) - firstIndex;
            if (index < 0 || index >= labelNames.size()) {
                throw new DatasetFormatException(file, line, "label " + value + " is outside " + firstIndex + ".."
                        + (labelNames.size() - 1 + firstIndex));
            }
            return labelNames.get(index);
        } catch (NumberFormatException e) {
            throw new DatasetFormatException(file, line, "label '" + value + "' is not a number");
        }
    }

    /** JSON labels may be names ("Sports") or 0-based indexes. */
    private String labelName(Path file, long line, String value) {
        if (labelNames.contains(value)) {
            return value;
        }
        return labelFromNumber(file, line, value, 0);
    }

    private static String generatedId(Path file, long line) {
        return file.getFileName().toString().replaceFirst("(\\.[A-Za-z0-9]+)+$", "") + "-" + line;
    }
}
