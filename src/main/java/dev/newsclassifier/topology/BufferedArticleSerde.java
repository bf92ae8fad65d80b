package dev.newsclassifier.topology;

import dev.newsclassifier.avro.BufferedArticle;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
 */
final class BufferedArticleSerde {

    private BufferedArticleSerde() {
    }

    static Serde<BufferedArticle> create() {
        SpecificDatumWriter<BufferedArticle> writer = new SpecificDatumWriter<>(BufferedArticle.class);
        SpecificDatumReader<BufferedArticle> reader = new SpecificDatumReader<>(BufferedArticle.class);
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
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, null);
            try {
                return reader.read(null, decoder);
            } catch (IOException e) {
                throw new SerializationException("Cannot decode a buffered article from " + topic, e);
            }
        };
        return Serdes.serdeFrom(serializer, deserializer);
    }
}
