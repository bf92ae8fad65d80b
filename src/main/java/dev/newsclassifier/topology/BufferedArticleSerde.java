package dev.newsclassifier.topology;

import dev.newsclassifier.avro.BufferedArticle;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Plain Avro binary for the batch buffer's store and changelog. The buffer is private to the
 * service, so it needs no schema registry round trip; the schema lives in
 * {@code schemas/BufferedArticle.avsc} and evolves compatibly with defaults.
 *
 * <p>Plain binary does not say which schema wrote it, so the schema only ever grows by fields
 * appended last: a record written by an earlier version is then the beginning of a record of this
 * one. Reading it runs out of bytes where the newer fields would start, and is done again against the
 * earlier version's fields, the newer ones taking their defaults. The other way round, an earlier
 * version (a rollback, or an old replica during a rolling update) reads the fields it knows and
 * ignores the bytes after them.
 */
final class BufferedArticleSerde {

    /** How many fields each earlier version of the schema had, newest first: 7 before {@code source} was added. */
    private static final List<Integer> EARLIER_FIELD_COUNTS = List.of(7);

    private BufferedArticleSerde() {
    }

    static Serde<BufferedArticle> create() {
        Schema current = BufferedArticle.getClassSchema();
        SpecificDatumWriter<BufferedArticle> writer = new SpecificDatumWriter<>(BufferedArticle.class);
        SpecificDatumReader<BufferedArticle> reader = new SpecificDatumReader<>(BufferedArticle.class);
        List<SpecificDatumReader<BufferedArticle>> earlierReaders = EARLIER_FIELD_COUNTS.stream()
                .map(count -> new SpecificDatumReader<BufferedArticle>(leadingFields(current, count), current))
                .toList();
        Serializer<BufferedArticle> serializer = (topic, article) -> {
            if (article == null) {
                return null;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(512);
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            try {
                writer.write(article, encoder);
                encoder.flush();
            } catch (IOException e) {
                throw new SerializationException("Cannot encode buffered article " + article.getKey(), e);
            }
            return out.toByteArray();
        };
        Deserializer<BufferedArticle> deserializer = (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return reader.read(null, DecoderFactory.get().binaryDecoder(bytes, null));
            } catch (EOFException shorter) {
                return readEarlierVersion(earlierReaders, topic, bytes, shorter);
            } catch (IOException e) {
                throw new SerializationException("Cannot decode a buffered article from " + topic, e);
            }
        };
        return Serdes.serdeFrom(serializer, deserializer);
    }

    private static BufferedArticle readEarlierVersion(List<SpecificDatumReader<BufferedArticle>> readers, String topic,
            byte[] bytes, EOFException shorter) {
        for (SpecificDatumReader<BufferedArticle> reader : readers) {
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, null);
            try {
                BufferedArticle article = reader.read(null, decoder);
                // Bytes left over: the record is not of this version, only long enough to be read as one.
                if (decoder.isEnd()) {
                    return article;
                }
            } catch (IOException e) {
                shorter.addSuppressed(e);
            }
        }
        throw new SerializationException("Cannot decode a buffered article from " + topic
                + " with the current schema or an earlier one", shorter);
    }

    /** The schema as an earlier version wrote it, when it had only the first {@code count} of today's fields. */
    private static Schema leadingFields(Schema schema, int count) {
        List<Schema.Field> fields = schema.getFields().subList(0, count).stream()
                .map(field -> new Schema.Field(field, field.schema())).toList();
        return Schema.createRecord(schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
    }
}
