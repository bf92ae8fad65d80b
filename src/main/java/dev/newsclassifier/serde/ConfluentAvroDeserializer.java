package dev.newsclassifier.serde;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

import dev.newsclassifier.registry.SchemaNotFoundException;
import dev.newsclassifier.registry.SchemaRegistryClient;
import dev.newsclassifier.serde.RecordDecodeException.Reason;

/**
 * Reads Confluent wire-format Avro into a generated {@link SpecificRecord} class. The writer's schema is fetched from
 * the registry by the id in the header (and cached, so known ids keep decoding while the registry is down) and
 * resolved against the class's schema, so records written with an older or newer compatible schema decode fine.
 *
 * <p>Bad records throw {@link RecordDecodeException} with a {@link Reason}; that includes a null value, since the
 * news topics carry no tombstones. A registry that cannot be reached throws
 * {@link dev.newsclassifier.registry.SchemaRegistryUnavailableException} instead: the record may be fine, so retry
 * rather than dead-letter it. Thread-safe.
 */
public class ConfluentAvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {

    private static final int HEADER_SIZE = 1 + Integer.BYTES;

    private volatile SchemaRegistryClient client;
    private volatile Class<T> type;
    private volatile Schema readerSchema;
    /** Per writer schema id: a reader, or the reason the writer schema cannot be read into {@code T}. */
    private final Map<Integer, Resolution<T>> resolutions = new ConcurrentHashMap<>();

    /** For Kafka's reflective instantiation: {@link #configure} must provide the registry URL and record class. */
    public ConfluentAvroDeserializer() {
    }

    /** {@link #configure} must provide the registry URL. */
    public ConfluentAvroDeserializer(Class<T> type) {
        setType(type);
    }

    /** Ready to use; {@link #configure} is optional. */
    public ConfluentAvroDeserializer(SchemaRegistryClient client, Class<T> type) {
        this.client = client;
        setType(type);
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
        if (type == null) {
            setType(ConfluentAvroSerdeConfig.recordType(configs, isKey));
        }
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (client == null || type == null) {
            throw new IllegalStateException("deserializer is not configured: call configure() with "
                    + ConfluentAvroSerdeConfig.SCHEMA_REGISTRY_URL + " and the record type, or use the constructor"
                    + " taking a SchemaRegistryClient and a class");
        }
        if (data == null) {
            throw new RecordDecodeException(Reason.NOT_WIRE_FORMAT, topic, -1, "record has no value", null);
        }
        if (data.length < HEADER_SIZE) {
            throw new RecordDecodeException(Reason.NOT_WIRE_FORMAT, topic, -1, "record has " + data.length
                    + " bytes, fewer than the 5-byte Confluent header", null);
        }
        if (data[0] != ConfluentAvroSerializer.MAGIC_BYTE) {
            throw new RecordDecodeException(Reason.NOT_WIRE_FORMAT, topic, -1, String.format(
                    "first byte is 0x%02x, not the Confluent magic byte 0x00", data[0]), null);
        }
        int id = ByteBuffer.wrap(data, 1, Integer.BYTES).getInt();
        Resolution<T> resolution = resolutions.get(id);
        if (resolution == null) {
            resolution = resolve(topic, id);
            resolutions.putIfAbsent(id, resolution);
        }
        if (resolution.incompatibility != null) {
            throw new RecordDecodeException(Reason.INCOMPATIBLE_WRITER_SCHEMA, topic, id, resolution.incompatibility,
                    null);
        }
        return decode(topic, id, data, resolution);
    }

    private Resolution<T> resolve(String topic, int id) {
        Schema writer;
        try {
            writer = client.schemaById(id);
        } catch (SchemaNotFoundException e) {
            // Deliberately not cached: the id may be registered later (e.g. a registry restored from backup).
            throw new RecordDecodeException(Reason.UNKNOWN_SCHEMA_ID, topic, id, "the registry has no schema with id "
                    + id, e);
        }
        var compatibility = SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writer);
        if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            var first = compatibility.getResult().getIncompatibilities().get(0);
            return new Resolution<>(writer, null, "writer schema id " + id + " (" + writer.getFullName()
                    + ") cannot be read as " + readerSchema.getFullName() + ": " + first.getType() + " at "
                    + first.getLocation() + " (" + first.getMessage() + ")");
        }
        return new Resolution<>(writer, new SpecificDatumReader<>(writer, readerSchema,
                SpecificData.getForClass(type)), null);
    }

    private T decode(String topic, int id, byte[] data, Resolution<T> resolution) {
        int length = data.length - HEADER_SIZE;
        try {
            // A dry run first: skipping checks every length against the bytes really there, where reading would
            // allocate whatever a garbage length prefix claims before noticing the data is short.
            BinaryDecoder check = DecoderFactory.get().binaryDecoder(data, HEADER_SIZE, length, null);
            GenericDatumReader.skip(resolution.writer, check);
            if (!check.isEnd()) {
                throw new RecordDecodeException(Reason.MALFORMED_AVRO, topic, id, "payload has bytes left after a"
                        + " complete " + resolution.writer.getFullName(), null);
            }
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, HEADER_SIZE, length, null);
            return resolution.reader.read(null, decoder);
        } catch (RecordDecodeException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new RecordDecodeException(Reason.MALFORMED_AVRO, topic, id, "payload is not a valid "
                    + resolution.writer.getFullName() + " (schema id " + id + "): " + e, e);
        }
    }

    private void setType(Class<T> type) {
        this.readerSchema = SpecificData.getForClass(type).getSchema(type);
        this.type = type;
    }

    private record Resolution<T>(Schema writer, SpecificDatumReader<T> reader, String incompatibility) {
    }
}
