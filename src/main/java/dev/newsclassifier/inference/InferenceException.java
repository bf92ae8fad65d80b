package dev.newsclassifier.inference;

/** Inference failed for a reason that lies in the runtime, not in the article being classified. */
public class InferenceException extends RuntimeException {

    public InferenceException(String message) {
        super(message);
    }

    public InferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
