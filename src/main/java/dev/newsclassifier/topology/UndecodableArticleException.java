package dev.newsclassifier.topology;

/** A record value that can never be decoded; {@link #reason()} goes into the dead-letter header. */
public class UndecodableArticleException extends RuntimeException {

    private final String reason;

    public UndecodableArticleException(String reason, String detail, Throwable cause) {
        super(detail, cause);
        this.reason = reason;
    }

    /** A stable, machine-readable code such as {@code NOT_WIRE_FORMAT} or {@code UNKNOWN_SCHEMA_ID}. */
    public String reason() {
        return reason;
    }
}
