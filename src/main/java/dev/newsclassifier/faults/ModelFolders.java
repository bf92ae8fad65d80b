package dev.newsclassifier.faults;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.newsclassifier.inference.ModelConfig;
import dev.newsclassifier.inference.OnnxClassifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Model folders for model-swap tests: a copy of a real model under another version, and one that cannot load. */
public final class ModelFolders {

    private ModelFolders() {
    }

    /** Copies the model folder {@code source} to {@code target}, its {@code config.json} saying {@code version}. */
    public static Path copyAsVersion(Path source, Path target, String version) {
        try {
            Files.createDirectories(target);
            for (String file : new String[] {OnnxClassifier.MODEL_FILE, OnnxClassifier.TOKENIZER_FILE}) {
                Files.copy(source.resolve(file), target.resolve(file), StandardCopyOption.REPLACE_EXISTING);
            }
            ObjectMapper json = new ObjectMapper();
            ObjectNode config = (ObjectNode) json.readTree(source.resolve(ModelConfig.FILE_NAME).toFile());
            config.put("model_version", version);
            json.writerWithDefaultPrettyPrinter().writeValue(target.resolve(ModelConfig.FILE_NAME).toFile(), config);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A folder like {@code source} whose {@code model.onnx} is not an ONNX model. */
    public static Path corrupt(Path source, Path target) {
        try {
            Files.createDirectories(target);
            Files.copy(source.resolve(OnnxClassifier.TOKENIZER_FILE), target.resolve(OnnxClassifier.TOKENIZER_FILE),
                    StandardCopyOption.REPLACE_EXISTING);
            Files.copy(source.resolve(ModelConfig.FILE_NAME), target.resolve(ModelConfig.FILE_NAME),
                    StandardCopyOption.REPLACE_EXISTING);
            Files.writeString(target.resolve(OnnxClassifier.MODEL_FILE), "not an ONNX model");
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
