package dev.newsclassifier.registry;

/**
 * The registry refused to register a schema (409) because it breaks the subject's compatibility rule (BACKWARD by
 * default) against the versions already there. Fix the schema (e.g. give new fields a default), not the registry.
 */
public class IncompatibleSchemaException extends SchemaRegistryException {

    private final String subject;

    public IncompatibleSchemaException(String message, int errorCode, String subject) {
        super(message, 409, errorCode, null);
        this.subject = subject;
    }

    public String subject() {
        return subject;
    }
}
