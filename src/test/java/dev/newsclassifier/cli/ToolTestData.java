package dev.newsclassifier.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Labeled test files in AG News's original CSV layout, made from the handwritten demo sample. */
final class ToolTestData {

    static final List<String> LABELS = List.of("World", "Sports", "Business", "Sci/Tech");

    private ToolTestData() {
    }

    /**
     * Writes the first {@code count} sample articles as {@code "class","title","description"}
     * rows (classes 1..4), quoting with doubled quotes; {@code malformedAfter} > 0 puts a
     * malformed row (a class that is not a number) after that many rows.
     */
    static Path agNewsCsv(Path file, int count, int malformedAfter) throws IOException {
        List<JsonNode> sample = sample();
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < count; i++) {
            JsonNode node = sample.get(i % sample.size());
            int classIndex = LABELS.indexOf(node.get("label").asText()) + 1;
            csv.append('"').append(classIndex).append("\",").append(quote(node.get("title").asText())).append(',')
                    .append(quote(node.get("description").asText())).append('\n');
            if (i + 1 == malformedAfter) {
                csv.append("\"Sports\",\"A row whose class is a word\",\"It cannot be read.\"\n");
            }
        }
        Files.writeString(file, csv.toString(), StandardCharsets.UTF_8);
        return file;
    }

    static List<JsonNode> sample() throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                ToolTestData.class.getClassLoader().getResourceAsStream("demo/articles.jsonl"), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.isBlank()) {
                    nodes.add(json.readTree(line));
                }
            }
        }
        return nodes;
    }

    private static String quote(String text) {
        return '"' + text.replace("\"", "\"\"") + '"';
    }
}
