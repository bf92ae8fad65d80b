package dev.newsclassifier.registry;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * The registry answered 404: no schema with this id (40403), no such subject (40401), no such version (40402), or the
 * schema is not registered under the subject. Not retriable.
 */
public class SchemaNotFoundException extends SchemaRegistryException {

    private final String subject;
    private final Integer schemaId;

    public SchemaNotFoundException(String message, int errorCode, String subject, Integer schemaId) {
        super(message, 404, errorCode, null);
        this.subject = subject;
        this.schemaId = schemaId;
    }

    /** The subject that was asked about, when the request named one. */
    public Optional<String> subject() {
        return Optional.ofNullable(subject);
    }

    /** The schema id that was asked about, when the request named one. */
    public OptionalInt schemaId() {
        return schemaId == null ? OptionalInt.empty() : OptionalInt.of(schemaId);
    }
}
