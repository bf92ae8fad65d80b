package dev.newsclassifier.topology;

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
            context.forward(record.withValue(new IntakeResult(accepted, record.value())));
            return;
        }
        ArticleIntake.Rejected rejected = (ArticleIntake.Rejected) outcome;
        metrics.deadLettered(rejected.reason());
        LOG.debugf("Dead-lettering %s-%d@%d: %s (%s)", source.topic(), source.partition(), source.offset(),
                rejected.reason(), rejected.detail());
        DeadLetter letter = DeadLetter.of(record.headers(), record.value(), rejected.reason(), rejected.detail(),
                new DeadLetter.Source(source.topic(), source.partition(), source.offset()), maxDeadLetterPayloadBytes);
        context.forward(record.withValue(new IntakeResult(null, letter.value())).withHeaders(letter.headers()));
    }
}
