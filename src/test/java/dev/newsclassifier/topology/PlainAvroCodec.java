package dev.newsclassifier.topology;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Plain Avro binary without a registry, for topology tests: the topology only sees an
 * {@link ArticleDecoder} and a labeled-article serde, and the Confluent wire format has tests
 * of its own.
 */
final class PlainAvroCodec {

    static final String MALFORMED = "MALFORMED_AVRO";

    private PlainAvroCodec() {
    }

    static <T extends SpecificRecord> byte[] encode(T record) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            var encoder = EncoderFactory.get().binaryEncoder(out, null);
            new SpecificDatumWriter<T>(record.getSchema()).write(record, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static <T extends SpecificRecord> T decode(Class<T> type, byte[] bytes) throws IOException {
        var decoder = DecoderFactory.get().binaryDecoder(bytes, null);
        T value = new SpecificDatumReader<>(type).read(null, decoder);
        if (!decoder.isEnd()) {
            throw new IOException("trailing bytes after the record");
        }
        return value;
    }

    static ArticleDecoder articleDecoder() {
        return (topic, headers, value) -> {
            try {
                return decode(dev.newsclassifier.avro.NewsArticle.class, value);
            } catch (IOException | RuntimeException e) {
                throw new UndecodableArticleException(MALFORMED, "not a NewsArticle: " + e.getMessage(), e);
            }
        };
    }

    static <T extends SpecificRecord> Serde<T> serde(Class<T> type) {
        return Serdes.serdeFrom((topic, value) -> value == null ? null : encode(value), (topic, bytes) -> {
            try {
                return bytes == null ? null : decode(type, bytes);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
