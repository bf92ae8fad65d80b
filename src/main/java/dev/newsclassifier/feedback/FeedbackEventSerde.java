package dev.newsclassifier.feedback;

import dev.newsclassifier.avro.FeedbackJoinEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** Plain Avro binary for the join's internal records (repartition topic and stores); no registry, never public. */
final class FeedbackEventSerde {

    private FeedbackEventSerde() {
    }

    static Serde<FeedbackJoinEvent> create() {
        SpecificDatumWriter<FeedbackJoinEvent> writer = new SpecificDatumWriter<>(FeedbackJoinEvent.class);
        SpecificDatumReader<FeedbackJoinEvent> reader = new SpecificDatumReader<>(FeedbackJoinEvent.class);
        return Serdes.serdeFrom((topic, event) -> {
            if (event == null) {
                return null;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(128);
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            try {
                writer.write(event, encoder);
                encoder.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toByteArray();
        }, (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, null);
            try {
                return reader.read(null, decoder);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
