package dev.newsclassifier.dataset;

import java.nio.file.Path;

/** A record the reader cannot understand; the message names the file and line. */
public class DatasetFormatException extends RuntimeException {

    public DatasetFormatException(Path file, long line, String problem) {
        super(file + ":" + line + ": " + problem);
    }
}
