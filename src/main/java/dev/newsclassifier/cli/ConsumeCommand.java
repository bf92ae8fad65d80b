package dev.newsclassifier.cli;

import dev.newsclassifier.avro.ClassifiedArticle;
import dev.newsclassifier.evaluation.TextTable;
import dev.newsclassifier.serde.ConfluentAvroDeserializer;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Prints labeled results as they arrive. */
@Command(name = "consume", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 120,
        description = {"Print labeled articles from the labeled topic as they arrive (committed records only),",
                "as a table or as JSON lines; stops after --max records or on Ctrl-C.",
                "",
                "Examples:",
                "  ./news-classifier consume",
                "  ./news-classifier consume --from-beginning --label Sports --label World --min-confidence 0.9",
                "  ./news-classifier consume --from-beginning --max 100 --json > labeled.jsonl",
                "  ./news-classifier consume --from-beginning --needs-review      (the articles the service flagged unsure)",
                "  ./news-classifier consume --topic news.review                  (the review topic, news.topics.review)",
                ""})
final class ConsumeCommand implements Callable<Integer> {

    private static final Logger LOG = Logger.getLogger(ConsumeCommand.class);
    static final int[] WIDTHS = {24, 9, 6, 70};
    static final boolean[] RIGHT = {false, false, true, false};

    @Mixin
    KafkaOptions kafka;

    @Spec
    CommandSpec spec;

    @Option(names = "--topic", paramLabel = "TOPIC", defaultValue = "${env:NEWS_TOPICS_LABELED:-news.labeled}",
            description = "Labeled topic (default: env NEWS_TOPICS_LABELED, else ${DEFAULT-VALUE})")
    String topic;

    @Option(names = "--from-beginning", description = "Start at the oldest record (default: only new records)")
    boolean fromBeginning;

    @Option(names = "--label", paramLabel = "LABEL", description = "Only this label (repeatable)")
    Set<String> labels;

    @Option(names = "--min-confidence", paramLabel = "P", defaultValue = "0",
            description = "Only results with at least this confidence, 0..1")
    double minConfidence;

    @Option(names = "--needs-review", description = "Only articles flagged needs_review (the service's news.review.* "
            + "settings)")
    boolean needsReview;

    @Option(names = "--max", paramLabel = "N", defaultValue = "0", description = "Stop after N printed records (0: never)")
    long max;

    @Option(names = "--json", description = "One JSON object per line instead of a table")
    boolean json;

    @Option(names = "--idle-exit", paramLabel = "SECONDS", defaultValue = "0",
            description = "Stop when nothing arrived for this long (0: never; for scripts)")
    int idleExit;

    @Override
    public Integer call() {
        ToolSupport.quietLibraries();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        CountDownLatch finished = new CountDownLatch(1);
        KafkaConsumer<String, ClassifiedArticle> consumer = new KafkaConsumer<>(kafka.consumerProps(),
                new StringDeserializer(), new ConfluentAvroDeserializer<>(kafka.registry(), ClassifiedArticle.class));
        Thread hook = new Thread(() -> {
            consumer.wakeup();
            try {
                finished.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "consume-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        long printed = 0;
        try (consumer) {
            List<TopicPartition> partitions = ToolSupport.partitions(consumer, topic);
            consumer.assign(partitions);
            if (fromBeginning) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.seekToEnd(partitions);
                partitions.forEach(consumer::position);
            }
            if (!json) {
                out.println(TextTable.fixed(new String[] {"ID", "LABEL", "CONF", "TITLE"}, WIDTHS, RIGHT));
                out.flush();
            }
            long lastArrival = System.nanoTime();
            while (max <= 0 || printed < max) {
                var records = consumer.poll(Duration.ofMillis(500));
                if (!records.isEmpty()) {
                    lastArrival = System.nanoTime();
                } else if (idleExit > 0 && System.nanoTime() - lastArrival > idleExit * 1_000_000_000L) {
                    break;
                }
                for (ConsumerRecord<String, ClassifiedArticle> record : records) {
                    ClassifiedArticle article = record.value();
                    if (article == null || !matches(article)) {
                        continue;
                    }
                    out.println(json ? jsonLine(record) : TextTable.fixed(new String[] {article.getId(), article.getLabel(),
                            String.format(Locale.ROOT, "%.3f", article.getConfidence()), title(article)}, WIDTHS, RIGHT));
                    out.flush();
                    printed++;
                    if (max > 0 && printed >= max) {
                        break;
                    }
                }
            }
        } catch (WakeupException e) {
            LOG.debug("Stopped by Ctrl-C");
        } catch (RuntimeException e) {
            err.println("consume failed: " + e.getMessage());
            LOG.debug("consume failed", e);
            return 1;
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is what stopped us
            }
        }
        if (!json) {
            err.printf("%d record(s) printed.%n", printed);
            err.flush();
        }
        return 0;
    }

    boolean matches(ClassifiedArticle article) {
        return (labels == null || labels.isEmpty() || labels.contains(article.getLabel()))
                && article.getConfidence() >= minConfidence && (!needsReview || article.getNeedsReview());
    }

    private static String title(ClassifiedArticle article) {
        return article.getTitle().isBlank() ? article.getDescription() : article.getTitle();
    }

    static String jsonLine(ConsumerRecord<String, ClassifiedArticle> record) {
        ClassifiedArticle a = record.value();
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("id", a.getId());
        line.put("label", a.getLabel());
        line.put("confidence", a.getConfidence());
        line.put("scores", a.getScores());
        line.put("title", a.getTitle());
        line.put("description", a.getDescription());
        line.put("source", a.getSource());
        line.put("url", a.getUrl());
        line.put("language", a.getLanguage());
        line.put("published_at", a.getPublishedAt() == null ? null : a.getPublishedAt().toString());
        line.put("truncated", a.getTruncated());
        line.put("needs_review", a.getNeedsReview());
        line.put("model_name", a.getModelName());
        line.put("model_version", a.getModelVersion());
        line.put("classified_at", a.getClassifiedAt().toString());
        line.put("attributes", a.getAttributes());
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8));
        }
        line.put("headers", headers);
        line.put("topic", record.topic());
        line.put("partition", record.partition());
        line.put("offset", record.offset());
        line.put("timestamp", record.timestamp());
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(line);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
