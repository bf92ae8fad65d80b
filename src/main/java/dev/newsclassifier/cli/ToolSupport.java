package dev.newsclassifier.cli;

import dev.newsclassifier.inference.ModelConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/** What the stand-alone tools share. */
final class ToolSupport {

    /** Header of a replayed record: the run it belongs to; the service copies it onto the labeled record. */
    static final String RUN_ID_HEADER = "replay.run-id";
    /** Header of a replayed record: the label a person gave the article, when the data has one. */
    static final String LABEL_HEADER = "replay.label";
    /** Header of a replayed record: the pass over the input (1, 2, ... with --loop). */
    static final String PASS_HEADER = "replay.pass";

    /** AG News's labels in index order, used when no model folder is at hand to read them from. */
    static final List<String> AG_NEWS_LABELS = List.of("World", "Sports", "Business", "Sci/Tech");

    /** Strong references: java.util.logging forgets the level of a logger nobody holds. */
    private static final List<Logger> QUIETED = List.of(Logger.getLogger("org.apache.kafka"),
            Logger.getLogger("kafka"), Logger.getLogger("ai.djl"));

    private ToolSupport() {
    }

    /** The tools print for people; Kafka's client logs its whole configuration at INFO otherwise. */
    static void quietLibraries() {
        for (Logger logger : QUIETED) {
            logger.setLevel(Level.WARNING);
        }
    }

    /** The model folder named by {@code news.model.dir} (the launcher sets it), else the repository default. */
    static Path defaultModelDir() {
        String property = System.getProperty("news.model.dir");
        if (property == null || property.isBlank()) {
            property = System.getenv("NEWS_MODEL_DIR");
        }
        return Path.of(property == null || property.isBlank() ? "onnx/models/default" : property);
    }

    /** Label names in index order from a model's config.json, or AG News's when there is none. */
    static List<String> labels(Path modelDir) {
        Path config = modelDir.resolve(ModelConfig.FILE_NAME);
        if (Files.isRegularFile(config)) {
            return ModelConfig.read(config).labels();
        }
        return AG_NEWS_LABELS;
    }

    /** Every partition of {@code topic}; fails with a clear message when the topic does not exist. */
    static List<TopicPartition> partitions(Consumer<?, ?> consumer, String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, java.time.Duration.ofSeconds(15));
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("topic " + topic + " does not exist");
        }
        return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    }

    /** The default report folder: under target/ in a Maven checkout, else under ./reports. */
    static Path defaultReportDir(String name) {
        String safe = name.replaceAll("[^A-Za-z0-9._-]", "_");
        return Files.isDirectory(Path.of("target")) ? Path.of("target", "reports", safe) : Path.of("reports", safe);
    }
}
