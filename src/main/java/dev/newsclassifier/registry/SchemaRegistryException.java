package dev.newsclassifier.registry;

/**
 * A Schema Registry request failed. Subclasses name the failures callers decide on; an instance of this class
 * itself is a failure no retry fixes (for example 401/403: wrong credentials).
 */
public class SchemaRegistryException extends RuntimeException {

    private final int httpStatus;
    private final int errorCode;

    public SchemaRegistryException(String message, int httpStatus, int errorCode, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    /** The HTTP status the registry answered, or -1 when no answer came. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The registry's {@code error_code} (e.g. 40401), or -1 when its answer had none. */
    public int errorCode() {
        return errorCode;
    }
}
