package dev.newsclassifier.local;

/**
 * A schema registry that speaks the Confluent REST API and that a local run controls: {@link LocalSchemaRegistry} in
 * this JVM, or {@link ApicurioRegistry} as a child process. Stopping and starting it again keeps its schemas and its
 * port, so a fault run can take it away and bring it back under the same URL.
 */
public interface SchemaRegistryServer extends AutoCloseable {

    /** Starts serving, or does nothing if it already does. */
    SchemaRegistryServer start();

    /** Stops serving and frees the port; the schemas are kept for the next {@link #start()}. */
    void stop();

    boolean isRunning();

    /** The base URL a Confluent client is given. */
    String url();

    int port();

    /** What a person reads in a status line, e.g. "Apicurio Registry 3.3.3". */
    String description();

    /** Stops serving and releases what {@link #stop()} keeps for a restart. */
    @Override
    void close();
}
