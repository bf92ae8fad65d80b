package dev.newsclassifier.registry;

/**
 * The registry could not be reached, timed out or answered 5xx (after the client's own retries). Retriable: the
 * schema may well exist, so a record that needed it is not bad data and must not be dead-lettered.
 */
public class SchemaRegistryUnavailableException extends SchemaRegistryException {

    public SchemaRegistryUnavailableException(String message, int httpStatus, int errorCode, Throwable cause) {
        super(message, httpStatus, errorCode, cause);
    }
}
