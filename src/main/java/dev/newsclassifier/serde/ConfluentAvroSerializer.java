package dev.newsclassifier.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

import dev.newsclassifier.registry.SchemaRegistryClient;

/**
 * Writes Avro specific records in the Confluent wire format: magic byte 0, the schema's 4-byte big-endian registry
 * id, then Avro binary. The subject is {@code <topic>-value} (or {@code <topic>-key}), Confluent's TopicNameStrategy.
 * Schemas are registered on first use unless {@value ConfluentAvroSerdeConfig#AUTO_REGISTER_SCHEMAS} is false, in
 * which case the schema must already be registered. Null serializes to null.
 *
 * <p>Registry failures are thrown as the client's exceptions
 * ({@link dev.newsclassifier.registry.SchemaRegistryUnavailableException},
 * {@link dev.newsclassifier.registry.IncompatibleSchemaException}, ...). Thread-safe.
 */
public class ConfluentAvroSerializer<T extends SpecificRecord> implements Serializer<T> {

    static final byte MAGIC_BYTE = 0;

    private volatile SchemaRegistryClient client;
    private volatile boolean isKey;
    private volatile boolean autoRegister = true;
    private final Map<Schema, DatumWriter<T>> writers = new ConcurrentHashMap<>();

    /** For Kafka's reflective instantiation: {@link #configure} must provide the registry URL. */
    public ConfluentAvroSerializer() {
    }

    /** Ready to serialize values with auto-registration; {@link #configure} may still change that. */
    public ConfluentAvroSerializer(SchemaRegistryClient client) {
        this.client = client;
    }

    /** Lets {@link ConfluentAvroSerde} give its serializer and deserializer one client. */
    void useClient(SchemaRegistryClient shared) {
        if (client == null) {
            client = shared;
        }
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (client == null) {
            client = ConfluentAvroSerdeConfig.client(configs);
        }
        this.isKey = isKey;
        this.autoRegister = ConfluentAvroSerdeConfig.autoRegister(configs);
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        if (client == null) {
            throw new IllegalStateException("serializer is not configured: call configure() with "
                    + ConfluentAvroSerdeConfig.SCHEMA_REGISTRY_URL + " or pass a SchemaRegistryClient");
        }
        Schema schema = data.getSchema();
        String subject = ConfluentAvroSerdeConfig.subject(topic, isKey);
        int id = autoRegister ? client.register(subject, schema) : client.lookupId(subject, schema);
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.write(MAGIC_BYTE);
        out.writeBytes(ByteBuffer.allocate(Integer.BYTES).putInt(id).array());
        try {
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            writers.computeIfAbsent(schema, SpecificDatumWriter::new).write(data, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot encode " + schema.getFullName() + " for topic " + topic + ": "
                    + e.getMessage(), e);
        }
        return out.toByteArray();
    }
}
