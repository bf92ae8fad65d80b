package dev.newsclassifier.cli;

import dev.newsclassifier.avro.ArticleFeedback;
import dev.newsclassifier.dataset.DatasetFormatException;
import dev.newsclassifier.dataset.DatasetReader;
import dev.newsclassifier.dataset.LabeledArticle;
import dev.newsclassifier.serde.ConfluentAvroSerializer;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Publishes true labels to the feedback topic, one by hand or all of a replayed file's. */
@Command(name = "feedback", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 120,
        description = {"Publish true labels (ArticleFeedback, keyed by article id) to the feedback topic. The service",
                "joins each with its own label of the article, within news.feedback.retention, and shows live",
                "accuracy and drift in /q/metrics (`evaluate --live` renders them).",
                "",
                "Examples:",
                "  ./news-classifier feedback --id a-123 --label Sports --source editor",
                "  ./news-classifier feedback --file ag_news_test.csv --shuffle     # every row replay published",
                ""})
final class FeedbackCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    What what;

    static final class What {
        @ArgGroup(exclusive = false)
        One one;

        @Option(names = {"-f", "--file"}, paramLabel = "FILE", required = true,
                description = "A data set `replay` read (same ids): publish the label of every row")
        Path file;
    }

    static final class One {
        @Option(names = "--id", paramLabel = "ID", required = true, description = "The article id")
        String id;

        @Option(names = "--label", paramLabel = "LABEL", required = true, description = "Its true label, e.g. Sports")
        String label;
    }

    @Option(names = "--topic", paramLabel = "TOPIC", defaultValue = "${env:NEWS_TOPICS_FEEDBACK:-news.feedback}",
            description = "Feedback topic (default: env NEWS_TOPICS_FEEDBACK, else ${DEFAULT-VALUE})")
    String topic;

    @Option(names = "--source", paramLabel = "NAME", defaultValue = "cli",
            description = "Who gives the labels (default: ${DEFAULT-VALUE})")
    String source;

    @Option(names = "--shuffle", description = "With --file: publish in random order, as late labels arrive")
    boolean shuffle;

    @Option(names = "--skip-malformed", description = "With --file: report malformed rows and go on")
    boolean skipMalformed;

    @Option(names = "--model-dir", paramLabel = "DIR",
            description = "Model folder whose config.json names the labels of numeric label columns "
                    + "(default: system property news.model.dir, else onnx/models/default)")
    Path modelDir;

    @Override
    public Integer call() {
        ToolSupport.quietLibraries();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<ArticleFeedback> labels = new ArrayList<>();
        Instant now = Instant.now();
        if (what.one != null) {
            labels.add(feedback(what.one.id, what.one.label, now));
        } else {
            if (!Files.isReadable(what.file)) {
                err.println("Cannot read " + what.file);
                return 2;
            }
            try {
                List<String> known = ToolSupport.labels(modelDir != null ? modelDir : ToolSupport.defaultModelDir());
                List<DatasetFormatException> malformed = new ArrayList<>();
                new DatasetReader(known, skipMalformed).read(what.file, (LabeledArticle article) -> {
                    if (article.label() != null) {
                        labels.add(feedback(article.id(), article.label(), now));
                    }
                }, malformed::add);
                malformed.forEach(e -> err.println("skipped: " + e.getMessage()));
            } catch (DatasetFormatException | UncheckedIOException e) {
                err.println(e.getMessage());
                return 2;
            }
            if (shuffle) {
                Collections.shuffle(labels, new Random());
            }
        }
        AtomicLong failures = new AtomicLong();
        AtomicReference<Exception> firstFailure = new AtomicReference<>();
        Progress progress = new Progress(out, "published", labels.size(), Progress.isTerminal());
        try (KafkaProducer<String, ArticleFeedback> producer = new KafkaProducer<>(kafka.producerProps(true),
                new StringSerializer(), new ConfluentAvroSerializer<>(kafka.registry()))) {
            progress.restart();
            for (ArticleFeedback label : labels) {
                producer.send(new ProducerRecord<>(topic, label.getId(), label), (metadata, exception) -> {
                    if (exception != null) {
                        failures.incrementAndGet();
                        firstFailure.compareAndSet(null, exception);
                    }
                });
                progress.advance(1);
            }
            producer.flush();
            progress.finish();
        } catch (RuntimeException e) {
            err.println("feedback failed: " + e.getMessage());
            return 1;
        }
        out.printf("Published %d true label(s) to %s%n", labels.size() - failures.get(), topic);
        if (failures.get() > 0) {
            err.printf("%d failed; first error: %s%n", failures.get(), firstFailure.get().getMessage());
            return 1;
        }
        return 0;
    }

    private ArticleFeedback feedback(String id, String label, Instant at) {
        return ArticleFeedback.newBuilder().setId(id).setLabel(label).setSource(source).setReportedAt(at).build();
    }
}
