package dev.newsclassifier.cli;

import dev.newsclassifier.avro.ClassifiedArticle;
import dev.newsclassifier.evaluation.Prediction;
import dev.newsclassifier.serde.ConfluentAvroDeserializer;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads one replay run's labeled results back from a labeled topic, from its beginning. */
final class LabeledReader {

    /** What was read: predictions by article id (the last one wins), and what else was seen. */
    record Run(String topic, List<Prediction> predictions, List<String> labels, List<String> models, long duplicates) {
    }

    private final KafkaOptions kafka;
    private final PrintWriter progressOut;

    LabeledReader(KafkaOptions kafka, PrintWriter progressOut) {
        this.kafka = kafka;
        this.progressOut = progressOut;
    }

    /**
     * Reads until {@code expected} results of the run have arrived (when positive), or until
     * the consumer has caught up with the topic and no new result came for {@code idle}.
     */
    Run read(String topic, String runId, long expected, Duration idle, Duration timeout) {
        Map<String, Prediction> byId = new LinkedHashMap<>();
        TreeMap<Integer, String> labelsByIndex = new TreeMap<>();
        TreeSet<String> otherLabels = new TreeSet<>();
        TreeSet<String> models = new TreeSet<>();
        long duplicates = 0;
        byte[] run = runId.getBytes(StandardCharsets.UTF_8);
        Progress progress = new Progress(progressOut, "results of " + runId + " on " + topic, expected > 0 ? expected : -1,
                Progress.isTerminal());
        try (KafkaConsumer<String, ClassifiedArticle> consumer = new KafkaConsumer<>(kafka.consumerProps(),
                new StringDeserializer(), new ConfluentAvroDeserializer<>(kafka.registry(), ClassifiedArticle.class))) {
            List<TopicPartition> partitions = ToolSupport.partitions(consumer, topic);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long started = System.nanoTime();
            long lastNews = started;
            while (expected <= 0 || byId.size() < expected) {
                long now = System.nanoTime();
                if (!timeout.isZero() && now - started > timeout.toNanos()) {
                    break;
                }
                var records = consumer.poll(Duration.ofMillis(250));
                boolean matched = false;
                for (ConsumerRecord<String, ClassifiedArticle> record : records) {
                    if (!java.util.Arrays.equals(run, headerBytes(record, ToolSupport.RUN_ID_HEADER)) || record.value() == null) {
                        continue;
                    }
                    ClassifiedArticle a = record.value();
                    byte[] label = headerBytes(record, ToolSupport.LABEL_HEADER);
                    Prediction previous = byId.put(a.getId(), new Prediction(a.getId(), a.getTitle().isBlank()
                            ? a.getDescription() : a.getTitle(), label == null ? null : new String(label, StandardCharsets.UTF_8),
                            a.getLabel(), a.getConfidence(), record.timestamp(), a.getClassifiedAt().toEpochMilli(),
                            a.getTopWords()));
                    if (previous != null) {
                        duplicates++;
                    } else {
                        progress.advance(1);
                    }
                    labelsByIndex.putIfAbsent(a.getLabelIndex(), a.getLabel());
                    otherLabels.addAll(a.getScores().keySet());
                    models.add(a.getModelName() + " " + a.getModelVersion());
                    matched = true;
                }
                if (matched || !caughtUp(consumer, partitions)) {
                    lastNews = System.nanoTime();
                } else if (System.nanoTime() - lastNews > idle.toNanos()) {
                    break;
                }
            }
            progress.finish();
        }
        List<String> labels = new ArrayList<>(labelsByIndex.values());
        otherLabels.stream().filter(l -> !labels.contains(l)).forEach(labels::add);
        return new Run(topic, new ArrayList<>(byId.values()), labels, new ArrayList<>(models), duplicates);
    }

    private static boolean caughtUp(KafkaConsumer<?, ?> consumer, List<TopicPartition> partitions) {
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        for (TopicPartition partition : partitions) {
            if (consumer.position(partition) < ends.getOrDefault(partition, 0L)) {
                return false;
            }
        }
        return true;
    }

    static byte[] headerBytes(ConsumerRecord<?, ?> record, String key) {
        Header header = record.headers().lastHeader(key);
        return header == null ? null : header.value();
    }
}
