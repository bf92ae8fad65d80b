package dev.newsclassifier.topology;

import dev.newsclassifier.avro.NewsArticle;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * The buffer record as the version before {@code source} was added wrote and read it, from that version's
 * schema file (a copy in the test resources), not from anything derived from today's schema.
 */
final class EarlierBufferedArticle {

    static final Schema SCHEMA = load();

    private EarlierBufferedArticle() {
    }

    private static Schema load() {
        Schema.Parser parser = new Schema.Parser();
        parser.parse(NewsArticle.getClassSchema().toString());
        try (InputStream in = EarlierBufferedArticle.class.getResourceAsStream("/schemas/BufferedArticle-v1.avsc")) {
            return parser.parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An article with one header, {@code trace = t-<id>}, encoded as that version did. */
    static byte[] encode(String id, String text, long bufferedAt) {
        Schema headers = SCHEMA.getField("headers").schema();
        GenericRecord header = new GenericRecordBuilder(headers.getElementType()).set("key", "trace")
                .set("value", ByteBuffer.wrap(("t-" + id).getBytes(StandardCharsets.UTF_8))).build();
        GenericRecord article = new GenericRecordBuilder(SCHEMA)
                .set("key", id)
                .set("article", NewsArticle.newBuilder().setId(id).setTitle(text).setDescription("").build())
                .set("text", text)
                .set("truncated", false)
                .set("timestamp", bufferedAt - 5)
                .set("buffered_at", bufferedAt)
                .set("headers", new GenericData.Array<>(headers, List.of(header)))
                .build();
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(SCHEMA).write(article, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads as that version did: its own schema, bytes after its last field left unread. */
    static GenericRecord decode(byte[] bytes) throws IOException {
        return new GenericDatumReader<GenericRecord>(SCHEMA).read(null, DecoderFactory.get().binaryDecoder(bytes, null));
    }
}
