package dev.newsclassifier.inference;

import java.nio.file.Path;

/** Where the shipped default model lives, relative to the repository root (Maven's working directory). */
final class DefaultModel {

    static final Path DIR = Path.of("onnx", "models", "default");

    private DefaultModel() {
    }
}
