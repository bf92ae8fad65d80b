package dev.newsclassifier.cli;

import dev.newsclassifier.avro.NewsArticle;
import dev.newsclassifier.dataset.DatasetFormatException;
import dev.newsclassifier.dataset.DatasetReader;
import dev.newsclassifier.dataset.LabeledArticle;
import dev.newsclassifier.serde.ConfluentAvroSerializer;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Replays a labeled data set into the raw topic, tagging each record with the run id and the
 * known label (headers the service copies onto the labeled record), for {@code evaluate}.
 */
@Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 120,
        description = {"Replay historical articles (AG News CSV in either layout, or JSON Lines; .gz allowed) into the",
                "raw topic, keyed by article id, each tagged with the run id and its known label (record headers",
                "replay.run-id and replay.label) so that `evaluate --run-id` can score the service on them.",
                "",
                "Examples:",
                "  ./news-classifier replay --file ag_news_test.csv",
                "  ./news-classifier replay --file ag_news_test.csv --rate 50 --limit 2000 --run-id nightly-1",
                "  ./news-classifier replay --file articles.jsonl --loop --rate 20 --skip-malformed",
                "  ./news-classifier evaluate --run-id nightly-1 --expected 2000",
                ""})
final class ReplayCommand implements Callable<Integer> {

    private static final Logger LOG = Logger.getLogger(ReplayCommand.class);
    private static final int ERRORS_SHOWN = 20;

    @Mixin
    KafkaOptions kafka;

    @Spec
    CommandSpec spec;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", required = true,
            description = "AG News CSV (class,title,description or text,label) or JSON Lines file")
    Path file;

    @Option(names = "--topic", paramLabel = "TOPIC", defaultValue = "${env:NEWS_TOPICS_RAW:-news.raw}",
            description = "Raw topic (default: env NEWS_TOPICS_RAW, else ${DEFAULT-VALUE})")
    String topic;

    @Option(names = "--run-id", paramLabel = "ID", description = "Tag of this run (default: generated and printed)")
    String runId;

    @Option(names = "--rate", paramLabel = "N", defaultValue = "0",
            description = "Articles per second (default: as fast as possible)")
    double rate;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "0",
            description = "Publish at most N articles in all (0: the whole file, or forever with --loop)")
    long limit;

    @Option(names = "--loop", description = "Start over at the end of the file; ids get the pass number (-p1, -p2, ...)")
    boolean loop;

    @Option(names = "--skip-malformed", description = "Report malformed records and go on (default: stop at the first)")
    boolean skipMalformed;

    @Option(names = "--model-dir", paramLabel = "DIR",
            description = "Model folder whose config.json names the labels of numeric label columns "
                    + "(default: system property news.model.dir, else onnx/models/default; AG News labels if absent)")
    Path modelDir;

    private volatile boolean stopped;

    @Override
    public Integer call() throws InterruptedException {
        ToolSupport.quietLibraries();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.isReadable(file)) {
            err.println("Cannot read " + file);
            return 2;
        }
        if (loop && rate <= 0 && limit <= 0) {
            err.println("--loop needs --rate or --limit, or it would flood the topic as fast as it can forever.");
            return 2;
        }
        List<LabeledArticle> articles = new ArrayList<>();
        List<DatasetFormatException> malformed = new ArrayList<>();
        try {
            List<String> labels = ToolSupport.labels(modelDir != null ? modelDir : ToolSupport.defaultModelDir());
            new DatasetReader(labels, skipMalformed).read(file, articles::add, malformed::add);
        } catch (DatasetFormatException e) {
            err.println("Malformed record, stopping (use --skip-malformed to skip such records): " + e.getMessage());
            return 2;
        } catch (UncheckedIOException e) {
            err.println(e.getMessage());
            return 2;
        }
        for (DatasetFormatException e : malformed.subList(0, Math.min(ERRORS_SHOWN, malformed.size()))) {
            err.println("skipped: " + e.getMessage());
        }
        if (malformed.size() > ERRORS_SHOWN) {
            err.printf("skipped %d more malformed record(s)%n", malformed.size() - ERRORS_SHOWN);
        }
        if (articles.isEmpty()) {
            err.println("No articles in " + file);
            return 2;
        }
        String run = runId != null ? runId : generatedRunId();
        long total = limit > 0 ? (loop ? limit : Math.min(limit, articles.size())) : (loop ? -1 : articles.size());
        out.printf("Replaying %s (%d articles%s, %d malformed skipped) to %s at %s as run %s%n", file, articles.size(),
                loop ? ", looping" : "", malformed.size(), topic,
                rate > 0 ? String.format(Locale.ROOT, "%.1f/s", rate) : "full speed", run);
        out.flush();

        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stopped = true;
            try {
                finished.await(15, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "replay-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        AtomicLong failures = new AtomicLong();
        AtomicReference<Exception> firstFailure = new AtomicReference<>();
        Progress progress = new Progress(out, "published", total, Progress.isTerminal());
        long sent = 0;
        try (KafkaProducer<String, NewsArticle> producer = new KafkaProducer<>(kafka.producerProps(rate <= 0),
                new StringSerializer(), new ConfluentAvroSerializer<>(kafka.registry()))) {
            long started = System.nanoTime();
            progress.restart();
            byte[] runBytes = run.getBytes(StandardCharsets.UTF_8);
            int pass = 1;
            outer:
            while (true) {
                for (LabeledArticle article : articles) {
                    if (stopped || (total >= 0 && sent >= total)) {
                        break outer;
                    }
                    if (rate > 0) {
                        pace(started, sent);
                    }
                    String id = loop ? article.id() + "-p" + pass : article.id();
                    NewsArticle event = NewsArticle.newBuilder().setId(id).setTitle(article.title())
                            .setDescription(article.description()).setSource(article.source()).build();
                    ProducerRecord<String, NewsArticle> record = new ProducerRecord<>(topic, id, event);
                    record.headers().add(ToolSupport.RUN_ID_HEADER, runBytes);
                    if (article.label() != null) {
                        record.headers().add(ToolSupport.LABEL_HEADER, article.label().getBytes(StandardCharsets.UTF_8));
                    }
                    record.headers().add(ToolSupport.PASS_HEADER, Integer.toString(pass).getBytes(StandardCharsets.UTF_8));
                    producer.send(record, (metadata, exception) -> {
                        if (exception != null) {
                            failures.incrementAndGet();
                            firstFailure.compareAndSet(null, exception);
                        }
                    });
                    sent++;
                    progress.advance(1);
                }
                if (!loop) {
                    break;
                }
                pass++;
            }
            producer.flush();
            progress.finish();
        } catch (RuntimeException e) {
            err.println("replay failed after " + sent + " article(s): " + e.getMessage());
            LOG.debug("replay failed", e);
            return 1;
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook waits for the flush above
            }
        }
        long published = sent - failures.get();
        out.printf(Locale.ROOT, "Published %d article(s) in %.1f s (%.1f/s) as run %s%s%n", published, progress.seconds(),
                published / Math.max(1e-9, progress.seconds()), run, stopped ? " (stopped early)" : "");
        if (failures.get() > 0) {
            err.printf("%d article(s) failed; first error: %s%n", failures.get(), firstFailure.get().getMessage());
        }
        out.printf("Evaluate with: ./news-classifier evaluate --run-id %s --expected %d%n", run, published);
        out.flush();
        return failures.get() == 0 ? 0 : 1;
    }

    private void pace(long started, long index) {
        long due = started + (long) (index * 1e9 / rate);
        long wait = due - System.nanoTime();
        if (wait > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopped = true;
            }
        }
    }

    static String generatedRunId() {
        return "replay-" + LocalDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
    }
}
