package dev.newsclassifier.topology;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.jboss.logging.Logger;

/** Applies {@link ArticleIntake} to each raw record and stamps rejected ones with dead-letter headers. */
final class IntakeProcessor implements Processor<byte[], byte[], byte[], IntakeResult> {

    private static final Logger LOG = Logger.getLogger(IntakeProcessor.class);

    private final ArticleIntake intake;
    private final PipelineMetrics metrics;
    private final int maxDeadLetterPayloadBytes;
    private ProcessorContext<byte[], IntakeResult> context;

    IntakeProcessor(ArticleIntake intake, PipelineMetrics metrics, int maxDeadLetterPayloadBytes) {
        this.intake = intake;
        this.metrics = metrics;
        this.maxDeadLetterPayloadBytes = maxDeadLetterPayloadBytes;
    }

    @Override
    public void init(ProcessorContext<byte[], IntakeResult> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        metrics.articleReceived();
        RecordMetadata source = context.recordMetadata().orElseThrow();
        ArticleIntake.Outcome outcome = intake.admit(source.topic(), record.headers(), record.value());
        if (outcome instanceof ArticleIntake.Accepted accepted) {
            context.forward(record.withValue(new IntakeResult(accepted, null)));
            return;
        }
        ArticleIntake.Rejected rejected = (ArticleIntake.Rejected) outcome;
        metrics.deadLettered(rejected.reason());
        LOG.debugf("Dead-lettering %s-%d@%d: %s (%s)", source.topic(), source.partition(), source.offset(),
                rejected.reason(), rejected.detail());
        Headers headers = new RecordHeaders(record.headers().toArray());
        header(headers, DeadLetters.REASON, rejected.reason());
        header(headers, DeadLetters.DETAIL, rejected.detail());
        header(headers, DeadLetters.SOURCE_TOPIC, source.topic());
        header(headers, DeadLetters.SOURCE_PARTITION, Integer.toString(source.partition()));
        header(headers, DeadLetters.SOURCE_OFFSET, Long.toString(source.offset()));
        byte[] value = record.value();
        if (value != null && value.length > maxDeadLetterPayloadBytes) {
            // A dead letter the topic refuses would fail the stream thread on every retry of this record.
            header(headers, DeadLetters.PAYLOAD_DROPPED, Integer.toString(value.length));
            value = null;
        }
        context.forward(record.withValue(new IntakeResult(null, value)).withHeaders(headers));
    }

    private static void header(Headers headers, String key, String value) {
        headers.remove(key);
        headers.add(key, String.valueOf(value).getBytes(StandardCharsets.UTF_8));
    }
}
