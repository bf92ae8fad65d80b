package dev.newsclassifier.cli;

import dev.newsclassifier.evaluation.Comparison;
import dev.newsclassifier.evaluation.Evaluation;
import dev.newsclassifier.evaluation.Report;
import dev.newsclassifier.evaluation.ReportPrinter;
import dev.newsclassifier.evaluation.ReportWriter;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jboss.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Scores a replay run from the labeled topic: quality, speed, and optionally a second model's topic. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 120,
        description = {"Read the labeled results of a replay run (labeled topic from the beginning, records whose",
                "replay.run-id header is the run id), join them with the known labels the replay attached, and",
                "report accuracy, macro-F1, per-label precision/recall/F1, the confusion matrix, throughput",
                "(articles/s over the classified_at span) and end-to-end latency p50/p95/p99 (record timestamp to",
                "classified_at). Prints a table and writes report.json and report.html (charts, opens offline).",
                "With --compare, scores two labeled topics (e.g. the current model's and a candidate's from a",
                "reprocessing run, or the shadow topic) on the same run and lists the articles they label differently.",
                "With --live, renders the running instances' live figures instead: their last judged articles,",
                "predictions joined with true labels from the feedback topic (see `feedback`).",
                "",
                "Examples:",
                "  ./news-classifier evaluate --run-id nightly-1 --expected 2000",
                "  ./news-classifier evaluate --run-id nightly-1 --report-dir /tmp/nightly-1",
                "  ./news-classifier evaluate --run-id nightly-1 --compare news.labeled news.labeled.candidate",
                "  ./news-classifier evaluate --live --metrics-url http://10.0.0.5:8080 --metrics-url http://10.0.0.6:8080",
                ""})
final class EvaluateCommand implements Callable<Integer> {

    private static final Logger LOG = Logger.getLogger(EvaluateCommand.class);

    @Mixin
    KafkaOptions kafka;

    @Spec
    CommandSpec spec;

    @Option(names = "--run-id", paramLabel = "ID", description = "The replay run to evaluate (required without --live)")
    String runId;

    @Option(names = "--live", description = "Instead of a replay run: the live accuracy of running instances, from "
            + "true labels on the feedback topic (their /q/metrics)")
    boolean live;

    @Option(names = "--metrics-url", paramLabel = "URL", defaultValue = "http://localhost:8080",
            description = "With --live: an instance's HTTP address; repeat for every instance (default: ${DEFAULT-VALUE})")
    List<URI> metricsUrls;

    @Option(names = "--topic", paramLabel = "TOPIC", defaultValue = "${env:NEWS_TOPICS_LABELED:-news.labeled}",
            description = "Labeled topic (default: env NEWS_TOPICS_LABELED, else ${DEFAULT-VALUE})")
    String topic;

    @Option(names = "--compare", arity = "2", paramLabel = "TOPIC",
            description = "Two labeled topics, baseline then candidate: score both and compare them (replaces --topic)")
    List<String> compare;

    @Option(names = "--expected", paramLabel = "N", defaultValue = "0",
            description = "Stop reading once N results of the run are in (0: read until idle)")
    long expected;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS", defaultValue = "20",
            description = "Stop when caught up and no result of the run arrived for this long (default: ${DEFAULT-VALUE})")
    int idleSeconds;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "600",
            description = "Stop reading a topic after this long in any case (0: no limit; default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Option(names = "--report-dir", paramLabel = "DIR",
            description = "Where report.json and report.html go (default: target/reports/<run-id> in a Maven checkout, "
                    + "else ./reports/<run-id>)")
    Path reportDir;

    @Override
    public Integer call() {
        ToolSupport.quietLibraries();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            if (live) {
                return live(out, err);
            }
            if (runId == null) {
                err.println("Missing --run-id (or --live for the live accuracy from true labels)");
                return 2;
            }
            return evaluate(out, err);
        } catch (RuntimeException e) {
            err.println("evaluate failed: " + e.getMessage());
            LOG.debug("evaluate failed", e);
            return 1;
        }
    }

    private int evaluate(PrintWriter out, PrintWriter err) throws RuntimeException {
        LabeledReader reader = new LabeledReader(kafka, err);
        Duration idle = Duration.ofSeconds(idleSeconds);
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        String primaryTopic = compare != null ? compare.get(0) : topic;
        LabeledReader.Run primary = reader.read(primaryTopic, runId, expected, idle, timeout);
        LabeledReader.Run candidate = compare != null ? reader.read(compare.get(1), runId, expected, idle, timeout) : null;
        if (primary.predictions().isEmpty() && (candidate == null || candidate.predictions().isEmpty())) {
            err.printf("No labeled results of run %s on %s. Is the service running, and did `replay --run-id %s` publish?%n",
                    runId, primaryTopic, runId);
            return 1;
        }
        List<String> notes = new ArrayList<>();
        boolean complete = note(notes, primary, expected);
        List<String> labels = primary.labels().isEmpty() && candidate != null ? candidate.labels() : primary.labels();
        List<String> models = new ArrayList<>(primary.models());
        Comparison comparison = null;
        if (candidate != null) {
            complete &= note(notes, candidate, expected);
            // Which model wrote which topic, since the report's header names both.
            models.replaceAll(model -> model + " (" + primary.topic() + ")");
            candidate.models().forEach(model -> models.add(model + " (" + candidate.topic() + ")"));
            comparison = Comparison.of(primary.topic(), primary.predictions(), candidate.topic(), candidate.predictions(),
                    labels);
        }
        var times = primary.predictions().stream().mapToLong(p -> p.classifiedAtMillis()).summaryStatistics();
        if (times.getCount() > 1 && times.getMax() - times.getMin() < 1000) {
            notes.add(String.format("All results were classified within %d ms (one or two batches): the throughput figure "
                    + "says little; replay more articles, or at a --rate, to measure it.", times.getMax() - times.getMin()));
        }
        Report report = Evaluation.report("evaluate", runId, primaryTopic, models, labels, primary.predictions(), -1,
                true, comparison, notes);
        if (!printAndWrite(report, runId, out, err)) {
            return 1;
        }
        return complete ? 0 : 1;
    }

    /** Prints the report and writes its files; false, with the reason on {@code err}, when they cannot be written. */
    private boolean printAndWrite(Report report, String name, PrintWriter out, PrintWriter err) {
        ReportPrinter.print(report, out);
        Path dir = reportDir != null ? reportDir : ToolSupport.defaultReportDir(name);
        try {
            ReportWriter.write(report, dir);
        } catch (java.io.IOException e) {
            err.println("Cannot write the report to " + dir + ": " + e.getMessage());
            return false;
        }
        out.printf("%nReport: %s and %s%n", dir.resolve(ReportWriter.HTML_FILE), dir.resolve(ReportWriter.JSON_FILE));
        out.flush();
        return true;
    }

    private int live(PrintWriter out, PrintWriter err) {
        Report report;
        try {
            report = LiveEvaluation.report(metricsUrls);
        } catch (java.io.IOException e) {
            err.println("Cannot read an instance's metrics: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        if (!printAndWrite(report, "live", out, err)) {
            return 1;
        }
        if (report.metrics().total() == 0) {
            err.println("No judged article yet: publish true labels with `./news-classifier feedback`, and set "
                    + "news.topics.feedback on the service.");
            return 1;
        }
        return 0;
    }

    private static boolean note(List<String> notes, LabeledReader.Run run, long expected) {
        boolean complete = true;
        if (expected > 0 && run.predictions().size() < expected) {
            notes.add(String.format("Only %d of the %d expected results arrived on %s.", run.predictions().size(), expected,
                    run.topic()));
            complete = false;
        }
        if (run.duplicates() > 0) {
            notes.add(String.format("%d duplicate result(s) on %s (the last one of each id counts).", run.duplicates(),
                    run.topic()));
        }
        long unlabeled = run.predictions().stream().filter(p -> !p.labeled()).count();
        if (unlabeled > 0) {
            notes.add(String.format("%d result(s) on %s carry no known label; they count for speed only.", unlabeled,
                    run.topic()));
        }
        return complete;
    }
}
