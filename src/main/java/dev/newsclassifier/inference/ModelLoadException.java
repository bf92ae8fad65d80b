package dev.newsclassifier.inference;

import java.nio.file.Path;

/**
 * The model folder cannot be served. The message names the path and the problem in one line,
 * so an operator can fix the deployment without reading a stack trace.
 */
public class ModelLoadException extends RuntimeException {

    public ModelLoadException(Path path, String problem) {
        super("Cannot load model " + path + ": " + problem);
    }

    public ModelLoadException(Path path, String problem, Throwable cause) {
        super("Cannot load model " + path + ": " + problem, cause);
    }
}
