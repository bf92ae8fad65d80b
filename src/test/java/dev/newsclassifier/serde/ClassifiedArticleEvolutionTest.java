package dev.newsclassifier.serde;

import static org.assertj.core.api.Assertions.assertThat;

import dev.newsclassifier.avro.ClassifiedArticle;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.jupiter.api.Test;

/** The labeled schema gained needs_review: readers and writers of both versions must still understand each other. */
class ClassifiedArticleEvolutionTest {

    private static Schema earlier() throws IOException {
        try (InputStream in = ClassifiedArticleEvolutionTest.class.getResourceAsStream(
                "/schemas/ClassifiedArticle-v1.avsc")) {
            return new Schema.Parser().parse(in);
        }
    }

    @Test
    void shouldBeCompatibleBothWaysWithTheSchemaBeforeNeedsReview() throws IOException {
        Schema current = ClassifiedArticle.getClassSchema();
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(current, earlier()).getType())
                .as("today's readers read yesterday's records").isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(earlier(), current).getType())
                .as("yesterday's readers read today's records").isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
    }

    @Test
    void shouldReadARecordWrittenBeforeNeedsReviewAsNotNeedingReview() throws IOException {
        Schema earlier = earlier();
        GenericRecord old = new GenericData.Record(earlier);
        old.put("id", "a1");
        old.put("title", "Title");
        old.put("description", "Text");
        old.put("label", "World");
        old.put("label_index", 0);
        old.put("confidence", 0.9f);
        old.put("scores", Map.of("World", 0.9f));
        old.put("truncated", false);
        old.put("model_name", "m");
        old.put("model_version", "1");
        old.put("classified_at", Instant.parse("2026-12-01T00:00:00Z").toEpochMilli());
        old.put("attributes", Map.of());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        new GenericDatumWriter<GenericRecord>(earlier).write(old, encoder);
        encoder.flush();

        ClassifiedArticle read = new SpecificDatumReader<ClassifiedArticle>(earlier, ClassifiedArticle.getClassSchema())
                .read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));

        assertThat(read.getId()).isEqualTo("a1");
        assertThat(read.getNeedsReview()).isFalse();
    }
}
