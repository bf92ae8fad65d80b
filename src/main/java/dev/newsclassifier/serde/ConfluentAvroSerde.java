package dev.newsclassifier.serde;

import java.util.Map;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import dev.newsclassifier.registry.SchemaRegistryClient;

/**
 * {@link ConfluentAvroSerializer} and {@link ConfluentAvroDeserializer} for one generated Avro class. Built with a
 * {@link SchemaRegistryClient} it is ready as a value serde (auto-registering) without {@link #configure}; Kafka
 * Streams does not configure serdes passed to {@code Consumed.with}/{@code Produced.with}.
 */
public class ConfluentAvroSerde<T extends SpecificRecord> implements Serde<T> {

    private final ConfluentAvroSerializer<T> serializer;
    private final ConfluentAvroDeserializer<T> deserializer;
    private final boolean sharedClient;

    /** For Kafka's reflective instantiation; {@link #configure} must provide the registry URL and record type. */
    public ConfluentAvroSerde() {
        this.serializer = new ConfluentAvroSerializer<>();
        this.deserializer = new ConfluentAvroDeserializer<>();
        this.sharedClient = false;
    }

    /** {@link #configure} must provide the registry URL. */
    public ConfluentAvroSerde(Class<T> type) {
        this.serializer = new ConfluentAvroSerializer<>();
        this.deserializer = new ConfluentAvroDeserializer<>(type);
        this.sharedClient = false;
    }

    /** Ready to use for values, sharing the given client (and its caches) with other serdes. */
    public ConfluentAvroSerde(SchemaRegistryClient client, Class<T> type) {
        this.serializer = new ConfluentAvroSerializer<>(client);
        this.deserializer = new ConfluentAvroDeserializer<>(client, type);
        this.sharedClient = true;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (!sharedClient) {
            SchemaRegistryClient client = ConfluentAvroSerdeConfig.client(configs);
            serializer.useClient(client);
            deserializer.useClient(client);
        }
        serializer.configure(configs, isKey);
        deserializer.configure(configs, isKey);
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }
}
