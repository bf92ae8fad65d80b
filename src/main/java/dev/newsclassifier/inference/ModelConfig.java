package dev.newsclassifier.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The model's {@code config.json}: the contract between the training tooling and the service.
 * Labels come from here ({@code id2label}), never from code, so a retrained model with other
 * labels needs no code change.
 *
 * @param name model name, stamped on every classified article
 * @param version model version, stamped on every classified article
 * @param labels label names in output order ({@code id2label} read by index)
 * @param maxLength the longest token sequence the model was trained on; longer texts are cut
 * @param textRule id of the text rule the model was trained with
 */
public record ModelConfig(String name, String version, List<String> labels, int maxLength, String textRule) {

    public static final String FILE_NAME = "config.json";

    public ModelConfig {
        labels = List.copyOf(labels);
    }

    public int numLabels() {
        return labels.size();
    }

    public String label(int index) {
        return labels.get(index);
    }

    /** Reads and checks {@code config.json}; every problem is reported with the file's path. */
    public static ModelConfig read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException(file, "file not found");
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelLoadException(file, "not valid JSON (" + e.getMessage() + ")", e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelLoadException(file, "not a JSON object");
        }
        List<String> labels = labels(file, root);
        int maxLength = root.path("max_length").asInt(0);
        if (maxLength <= 0) {
            throw new ModelLoadException(file, "max_length must be a positive integer");
        }
        String textRule = root.path("text_rule").path("id").asText("");
        if (!TextRule.ID.equals(textRule)) {
            throw new ModelLoadException(file, "text_rule.id is '" + textRule + "' but this service implements '"
                    + TextRule.ID + "'; the model would see text cleaned differently from its training data");
        }
        return new ModelConfig(
                required(file, root, "model_name"), required(file, root, "model_version"), labels, maxLength, textRule);
    }

    private static List<String> labels(Path file, JsonNode root) {
        JsonNode id2label = root.path("id2label");
        if (!id2label.isObject() || id2label.isEmpty()) {
            throw new ModelLoadException(file, "id2label is missing or empty");
        }
        TreeMap<Integer, String> byIndex = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = id2label.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            try {
                byIndex.put(Integer.parseInt(entry.getKey()), entry.getValue().asText());
            } catch (NumberFormatException e) {
                throw new ModelLoadException(file, "id2label key '" + entry.getKey() + "' is not an integer");
            }
        }
        List<String> labels = new ArrayList<>(byIndex.values());
        boolean contiguous = byIndex.firstKey() == 0 && byIndex.lastKey() == labels.size() - 1;
        if (!contiguous) {
            throw new ModelLoadException(file, "id2label keys must be 0.." + (labels.size() - 1) + ", got " + byIndex.keySet());
        }
        JsonNode numLabels = root.path("num_labels");
        if (!numLabels.isMissingNode() && numLabels.asInt() != labels.size()) {
            throw new ModelLoadException(file, "num_labels is " + numLabels.asInt() + " but id2label has " + labels.size());
        }
        JsonNode label2id = root.path("label2id");
        for (int i = 0; i < labels.size(); i++) {
            if (label2id.isObject() && label2id.path(labels.get(i)).asInt(-1) != i) {
                throw new ModelLoadException(file, "label2id disagrees with id2label for '" + labels.get(i) + "'");
            }
        }
        return labels;
    }

    private static String required(Path file, JsonNode root, String field) {
        String value = root.path(field).asText("");
        if (value.isBlank()) {
            throw new ModelLoadException(file, field + " is missing");
        }
        return value;
    }
}
