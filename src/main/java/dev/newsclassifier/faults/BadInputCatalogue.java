package dev.newsclassifier.faults;

import dev.newsclassifier.avro.NewsArticle;
import dev.newsclassifier.registry.SchemaRegistryClient;
import dev.newsclassifier.serde.RecordDecodeException;
import dev.newsclassifier.topology.DeadLetters;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.util.Utf8;

/**
 * Bad input the service must survive, each with the outcome it is promised (the README's "What happens to bad
 * input"): records it cannot read are dead-lettered with a reason, and text that is merely odd is classified. A
 * fault test publishes every case's records to the raw topic, keyed by the case's article id, and checks the
 * outcomes; the stream must stay {@code RUNNING} throughout.
 */
public enum BadInputCatalogue {

    RANDOM_BYTES(Outcome.deadLetter(RecordDecodeException.Reason.NOT_WIRE_FORMAT.name())) {
        @Override
        List<byte[]> values(Context context, String id) {
            byte[] noise = new byte[64];
            new Random(20261124L).nextBytes(noise);
            // Fixed, so that the noise can never start like the wire format by chance.
            noise[0] = (byte) 0xA5;
            return List.of(noise);
        }
    },
    WRONG_MAGIC_BYTE(Outcome.deadLetter(RecordDecodeException.Reason.NOT_WIRE_FORMAT.name())) {
        @Override
        List<byte[]> values(Context context, String id) {
            byte[] value = context.encode(article(id, "Markets open higher", "Shares rose in early trading."));
            value[0] = 1;
            return List.of(value);
        }
    },
    UNKNOWN_SCHEMA_ID(Outcome.deadLetter(RecordDecodeException.Reason.UNKNOWN_SCHEMA_ID.name())) {
        @Override
        List<byte[]> values(Context context, String id) {
            byte[] value = context.encode(article(id, "Markets open higher", "Shares rose in early trading."));
            // Registries count ids up from 1; no registry holds this many schemas.
            ByteBuffer.wrap(value, 1, Integer.BYTES).putInt(Integer.MAX_VALUE);
            return List.of(value);
        }
    },
    TRUNCATED_AVRO(Outcome.deadLetter(RecordDecodeException.Reason.MALFORMED_AVRO.name())) {
        @Override
        List<byte[]> values(Context context, String id) {
            byte[] value = context.encode(article(id, "Markets open higher", "Shares rose in early trading."));
            // Cut in the middle: the string being read there promises more bytes than are left.
            return List.of(Arrays.copyOf(value, value.length / 2));
        }
    },
    TOMBSTONE(Outcome.deadLetter(DeadLetters.NULL_VALUE)) {
        @Override
        List<byte[]> values(Context context, String id) {
            return Arrays.asList((byte[]) null);
        }
    },
    WRITER_SCHEMA_MISSING_REQUIRED_FIELD(
            Outcome.deadLetter(RecordDecodeException.Reason.INCOMPATIBLE_WRITER_SCHEMA.name())) {
        @Override
        List<byte[]> values(Context context, String id) {
            GenericRecord record = new GenericData.Record(WITHOUT_TITLE);
            record.put("id", id);
            record.put("description", "A story whose producer forgot the title.");
            return List.of(context.encodeWithOwnSchema(WITHOUT_TITLE, record));
        }
    },
    EMPTY_TEXT(Outcome.deadLetter(DeadLetters.EMPTY_TEXT)) {
        @Override
        List<byte[]> values(Context context, String id) {
            return List.of(context.encode(article(id, "", "")));
        }
    },
    WHITESPACE_ONLY(Outcome.deadLetter(DeadLetters.EMPTY_TEXT)) {
        @Override
        List<byte[]> values(Context context, String id) {
            return List.of(context.encode(article(id, " \t ", "\r\n  \n")));
        }
    },
    RECORD_OVER_MAX_RECORD_BYTES(Outcome.deadLetter(DeadLetters.RECORD_TOO_LARGE)) {
        @Override
        List<byte[]> values(Context context, String id) {
            return List.of(context.encode(article(id, "An oversized record", "x".repeat(context.maxRecordBytes()))));
        }
    },
    ONE_MEBIBYTE_DESCRIPTION(Outcome.classified(true)) {
        @Override
        List<byte[]> values(Context context, String id) {
            String sentence = "The central bank held interest rates steady on Tuesday. ";
            String description = sentence.repeat(1024 * 1024 / sentence.length() + 1);
            return List.of(context.encode(article(id, "Central bank holds rates", description)));
        }
    },
    CONTROL_CHARACTERS_AND_UNPAIRED_SURROGATES(Outcome.classified(false)) {
        @Override
        List<byte[]> values(Context context, String id) {
            GenericRecord record = new GenericData.Record(NewsArticle.getClassSchema());
            record.put("id", id);
            record.put("attributes", Map.of());
            record.put("title", "Chip\u0000maker\u0007 shares \u001b[31mjump\u001b[0m");
            // Avro writes Java strings as valid UTF-8, so the broken bytes are written as they are: an encoded
            // lone high surrogate (ED A0 80), a lone low one (ED B0 80), and a stray continuation byte.
            ByteArrayOutputStream description = new ByteArrayOutputStream();
            description.writeBytes("New processor \u202eannounced ".getBytes(StandardCharsets.UTF_8));
            description.writeBytes(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80, ' ', (byte) 0xED, (byte) 0xB0,
                (byte) 0x80, ' ', (byte) 0x80});
            description.writeBytes(" for laptops.".getBytes(StandardCharsets.UTF_8));
            record.put("description", new Utf8(description.toByteArray()));
            return List.of(context.encodeWithOwnSchema(NewsArticle.getClassSchema(), record));
        }
    },
    NON_ENGLISH_TEXT(Outcome.classified(false)) {
        @Override
        List<byte[]> values(Context context, String id) {
            return List.of(context.encode(article(id, "Сборная выиграла финал чемпионата",
                    "日本の株価は大幅に上昇した。 البنك المركزي يرفع أسعار الفائدة")));
        }
    },
    HTML_MARKUP(Outcome.classified(false)) {
        @Override
        List<byte[]> values(Context context, String id) {
            return List.of(context.encode(article(id, "<h1>Storm &amp; floods</h1>",
                    "<p>Rivers <b>burst</b> their banks.</p><script>alert('x')</script><!-- tracking -->")));
        }
    },
    SAME_ID_TWICE(Outcome.classified(false)) {
        @Override
        List<byte[]> values(Context context, String id) {
            byte[] value = context.encode(article(id, "Team wins the cup", "A late goal decided the final."));
            return List.of(value, value.clone());
        }
    };

    /** {@code NewsArticle} without its required {@code title}: a writer schema the service cannot read. */
    private static final Schema WITHOUT_TITLE = SchemaBuilder.record("NewsArticle")
            .namespace("dev.newsclassifier.avro").fields()
            .requiredString("id")
            .requiredString("description")
            .endRecord();

    private final Outcome outcome;

    BadInputCatalogue(Outcome outcome) {
        this.outcome = outcome;
    }

    /** What the service must do with each of this case's records. */
    public Outcome outcome() {
        return outcome;
    }

    /** The record values to publish for this case, all keyed by {@code id} (UTF-8); a null value is a tombstone. */
    public List<byte[]> values(SchemaRegistryClient registry, String rawTopic, int maxRecordBytes, String id) {
        return values(new Context(registry, rawTopic, maxRecordBytes), id);
    }

    abstract List<byte[]> values(Context context, String id);

    /** The article id a run uses for this case: unique per run, so outputs of earlier runs are told apart. */
    public String id(String runId) {
        return runId + "-" + name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The promised outcome of each record: dead-lettered with {@code reason}, or classified (reason {@code null})
     * with the output's {@code truncated} flag as given.
     */
    public record Outcome(String reason, boolean truncated) {

        static Outcome deadLetter(String reason) {
            return new Outcome(reason, false);
        }

        static Outcome classified(boolean truncated) {
            return new Outcome(null, truncated);
        }

        public boolean deadLettered() {
            return reason != null;
        }
    }

    private static NewsArticle article(String id, String title, String description) {
        return NewsArticle.newBuilder().setId(id).setTitle(title).setDescription(description)
                .setSource("Bad input catalogue").build();
    }

    /**
     * Encodes in the Confluent wire format. The schema missing a field is registered under a subject of its own,
     * not the raw topic's: under the registry's default BACKWARD rule the raw topic's subject would accept it
     * (dropping a field is backward compatible), and as that subject's latest version it would then make every
     * producer registering the full {@code NewsArticle} fail. Schema ids are global, so the service looks it up
     * all the same.
     */
    record Context(SchemaRegistryClient registry, String rawTopic, int maxRecordBytes) {

        byte[] encode(NewsArticle article) {
            return encodeWithOwnSchema(NewsArticle.getClassSchema(), article);
        }

        byte[] encodeWithOwnSchema(Schema schema, GenericRecord record) {
            String subject = schema.equals(NewsArticle.getClassSchema()) ? rawTopic + "-value"
                    : rawTopic + "-bad-input-catalogue-value";
            int id = registry.register(subject, schema);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(0);
            out.writeBytes(ByteBuffer.allocate(Integer.BYTES).putInt(id).array());
            try {
                BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
                new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
                encoder.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toByteArray();
        }
    }
}
