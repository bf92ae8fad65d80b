package dev.newsclassifier.registry;

/** The registry rejected a request as invalid (422), e.g. a schema it cannot parse (42201). */
public class InvalidSchemaException extends SchemaRegistryException {

    public InvalidSchemaException(String message, int errorCode) {
        super(message, 422, errorCode, null);
    }
}
