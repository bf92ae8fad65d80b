package dev.newsclassifier.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.newsclassifier.dataset.DatasetFormatException;
import dev.newsclassifier.dataset.DatasetReader;
import dev.newsclassifier.dataset.LabeledArticle;
import dev.newsclassifier.evaluation.Evaluation;
import dev.newsclassifier.evaluation.Prediction;
import dev.newsclassifier.evaluation.Report;
import dev.newsclassifier.evaluation.ReportPrinter;
import dev.newsclassifier.evaluation.ReportWriter;
import dev.newsclassifier.inference.Classification;
import dev.newsclassifier.inference.InferenceOptions;
import dev.newsclassifier.inference.ModelConfig;
import dev.newsclassifier.inference.ModelLoadException;
import dev.newsclassifier.explain.Occlusion;
import dev.newsclassifier.explain.WordWeight;
import dev.newsclassifier.inference.OnnxClassifier;
import dev.newsclassifier.inference.TextRule;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Runs a labeled file through the model, no Kafka: the same metrics and report as {@code evaluate}. */
@Command(name = "classify", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 120,
        description = {"Classify every article of a file with the model (no Kafka, no service) and report the same",
                "quality metrics as `evaluate`: accuracy, macro-F1, per-label precision/recall/F1, confusion matrix,",
                "plus the model's throughput. Writes report.json and report.html, and optionally the predictions.",
                "",
                "Examples:",
                "  ./news-classifier classify --input ag_news_test.csv",
                "  ./news-classifier classify --input articles.jsonl --output predictions.csv",
                "  ./news-classifier classify --input test.csv.gz --model-dir onnx/models/candidate --batch-size 64 \\",
                "      --output predictions.jsonl --report-dir /tmp/candidate",
                ""})
final class ClassifyCommand implements Callable<Integer> {

    /** Words weighed per misclassified article (each one more text to classify), and the strongest listed. */
    private static final int DECIDING_WORDS_WEIGHED = 64;
    private static final int DECIDING_WORDS_SHOWN = 5;

    @Spec
    CommandSpec spec;

    @Option(names = {"-i", "--input"}, paramLabel = "FILE", required = true,
            description = "AG News CSV (either layout, .gz allowed) or JSON Lines file")
    Path input;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "Write the predictions here: CSV (.csv) or JSON Lines (.jsonl, .json, .ndjson)")
    Path output;

    @Option(names = "--model-dir", paramLabel = "DIR",
            description = "Model folder (default: system property news.model.dir, else onnx/models/default)")
    Path modelDir;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32",
            description = "Articles per model call (default: ${DEFAULT-VALUE})")
    int batchSize;

    // The service's defaults: on a 2-core Xeon they classified 5,700 articles at 523-529 articles/s,
    // one padded call per batch on every core at 225-240.
    @Option(names = "--threads", paramLabel = "N", defaultValue = InferenceOptions.DEFAULT_INTRA_OP_THREADS,
            description = "Threads per model call (0: ONNX Runtime takes every core; default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--chunk-size", paramLabel = "N", defaultValue = InferenceOptions.DEFAULT_CHUNK_SIZE,
            description = "Texts per model call: each batch is sorted by length and cut into chunks, each padded to "
                    + "its own longest text (default: ${DEFAULT-VALUE})")
    int chunkSize;

    @Option(names = "--concurrent-chunks", paramLabel = "N",
            defaultValue = InferenceOptions.DEFAULT_CONCURRENT_CHUNKS,
            description = "Chunks of a batch run at the same time (0: one per --threads of the cores; "
                    + "default: ${DEFAULT-VALUE})")
    int concurrentChunks;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "0", description = "Only the first N articles (0: all)")
    int limit;

    @Option(names = "--skip-malformed", description = "Report malformed records and go on (default: stop at the first)")
    boolean skipMalformed;

    @Option(names = "--max-text-chars", paramLabel = "N", defaultValue = "10000",
            description = "Cut texts to this many characters before tokenizing, as the service does (default: ${DEFAULT-VALUE})")
    int maxTextChars;

    @Option(names = "--report-dir", paramLabel = "DIR",
            description = "Where report.json and report.html go (default: target/reports/classify-<file> in a Maven "
                    + "checkout, else ./reports/classify-<file>)")
    Path reportDir;

    @Override
    public Integer call() {
        ToolSupport.quietLibraries();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (batchSize < 1) {
            err.println("--batch-size must be at least 1");
            return 2;
        }
        InferenceOptions inference;
        try {
            inference = InferenceOptions.cpu(threads, chunkSize, concurrentChunks);
        } catch (IllegalArgumentException e) {
            err.println("Invalid inference settings: " + e.getMessage());
            return 2;
        }
        if (output != null && format(output) == null) {
            err.println("--output must end in .csv, .jsonl, .json or .ndjson: " + output);
            return 2;
        }
        if (!Files.isReadable(input)) {
            err.println("Cannot read " + input);
            return 2;
        }
        Path dir = modelDir != null ? modelDir : ToolSupport.defaultModelDir();
        try (OnnxClassifier classifier = OnnxClassifier.load(dir, inference)) {
            return classify(classifier, dir, out, err);
        } catch (ModelLoadException e) {
            err.println("Cannot load the model: " + e.getMessage());
            return 2;
        } catch (IOException | UncheckedIOException e) {
            err.println(e.getMessage());
            return 1;
        }
    }

    /**
     * The listed misclassified predictions with the words that decided them (occlusion: one model call per article),
     * since a person judging a model reads its confident errors first.
     */
    private List<Prediction> withDecidingWords(OnnxClassifier classifier, List<LabeledArticle> articles,
            List<Prediction> predictions, PrintWriter out) {
        List<Prediction> wrong = Evaluation.misclassified(predictions);
        wrong = wrong.subList(0, Math.min(wrong.size(), Evaluation.MISCLASSIFIED_LISTED));
        if (wrong.isEmpty()) {
            return predictions;
        }
        Map<String, String> texts = new HashMap<>();
        articles.forEach(a -> texts.put(a.id(), cut(TextRule.apply(a.title(), a.description()))));
        Occlusion occlusion = new Occlusion(classifier, DECIDING_WORDS_WEIGHED);
        Map<String, List<String>> words = new HashMap<>();
        Progress progress = new Progress(out, "misclassified explained", wrong.size(), Progress.isTerminal());
        for (Prediction p : wrong) {
            words.put(p.id(), occlusion.explain(texts.get(p.id())).strongest(DECIDING_WORDS_SHOWN).stream()
                    .map(WordWeight::word).toList());
            progress.advance(1);
        }
        progress.finish();
        return predictions.stream().map(p -> words.containsKey(p.id()) ? p.withTopWords(words.get(p.id())) : p)
                .toList();
    }

    private int classify(OnnxClassifier classifier, Path dir, PrintWriter out, PrintWriter err) throws IOException {
        ModelConfig model = classifier.model();
        List<LabeledArticle> articles = new ArrayList<>();
        List<DatasetFormatException> malformed = new ArrayList<>();
        try {
            new DatasetReader(model.labels(), skipMalformed).read(input, articles::add, malformed::add);
        } catch (DatasetFormatException e) {
            err.println("Malformed record, stopping (use --skip-malformed to skip such records): " + e.getMessage());
            return 2;
        }
        malformed.stream().limit(20).forEach(e -> err.println("skipped: " + e.getMessage()));
        if (limit > 0 && articles.size() > limit) {
            articles = articles.subList(0, limit);
        }
        if (articles.isEmpty()) {
            err.println("No articles in " + input);
            return 2;
        }
        out.printf("Classifying %d articles of %s with %s %s (%s)%n", articles.size(), input, model.name(), model.version(),
                dir);
        out.printf("  batches of %d cut into length-sorted chunks of up to %d texts; %d chunk(s) at a time, %s per chunk%n",
                batchSize, chunkSize, classifier.concurrentChunks(),
                threads == 0 ? "all cores" : threads + (threads == 1 ? " thread" : " threads"));
        out.flush();
        List<Prediction> predictions = new ArrayList<>(articles.size());
        List<Classification> classifications = new ArrayList<>(articles.size());
        Progress progress = new Progress(out, "classified", articles.size(), Progress.isTerminal());
        long started = System.currentTimeMillis();
        for (int start = 0; start < articles.size(); start += batchSize) {
            List<LabeledArticle> batch = articles.subList(start, Math.min(articles.size(), start + batchSize));
            List<String> texts = batch.stream().map(a -> cut(TextRule.apply(a.title(), a.description()))).toList();
            List<Classification> results = classifier.classify(texts);
            long now = System.currentTimeMillis();
            for (int i = 0; i < batch.size(); i++) {
                LabeledArticle a = batch.get(i);
                Classification c = results.get(i);
                classifications.add(c);
                predictions.add(new Prediction(a.id(), a.title().isBlank() ? a.description() : a.title(), a.label(),
                        model.label(c.labelIndex()), c.confidence(), -1, now));
            }
            progress.advance(batch.size());
        }
        progress.finish();
        if (output != null) {
            writePredictions(articles, classifications, predictions, model);
            out.println("Predictions: " + output);
        }
        List<String> notes = new ArrayList<>();
        if (!malformed.isEmpty()) {
            notes.add(malformed.size() + " malformed record(s) skipped.");
        }
        long unlabeled = predictions.stream().filter(p -> !p.labeled()).count();
        if (unlabeled > 0) {
            notes.add(unlabeled + " article(s) carry no known label; they count for speed only.");
        }
        String name = input.getFileName().toString();
        Report report = Evaluation.report("classify", name, dir.toString(), List.of(model.name() + " " + model.version()),
                model.labels(), withDecidingWords(classifier, articles, predictions, out), started, false, null, notes);
        out.println();
        ReportPrinter.print(report, out);
        Path reports = reportDir != null ? reportDir
                : ToolSupport.defaultReportDir("classify-" + name.replaceFirst("(\\.[A-Za-z0-9]+)+$", ""));
        ReportWriter.write(report, reports);
        out.printf("%nReport: %s and %s%n", reports.resolve(ReportWriter.HTML_FILE), reports.resolve(ReportWriter.JSON_FILE));
        out.flush();
        return 0;
    }

    private String cut(String text) {
        return text.length() > maxTextChars ? text.substring(0, maxTextChars) : text;
    }

    static String format(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) {
            return "csv";
        }
        return name.endsWith(".jsonl") || name.endsWith(".json") || name.endsWith(".ndjson") ? "jsonl" : null;
    }

    private void writePredictions(List<LabeledArticle> articles, List<Classification> classifications,
            List<Prediction> predictions, ModelConfig model) throws IOException {
        if (output.toAbsolutePath().getParent() != null) {
            Files.createDirectories(output.toAbsolutePath().getParent());
        }
        boolean csv = "csv".equals(format(output));
        ObjectMapper json = new ObjectMapper();
        try (BufferedWriter writer = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
            if (csv) {
                StringBuilder header = new StringBuilder("id,true_label,predicted_label,confidence,truncated");
                model.labels().forEach(l -> header.append(",score_").append(l));
                writer.write(header.append("\n").toString());
            }
            for (int i = 0; i < predictions.size(); i++) {
                Prediction p = predictions.get(i);
                Classification c = classifications.get(i);
                if (csv) {
                    StringBuilder row = new StringBuilder();
                    row.append(csvField(p.id())).append(',').append(csvField(p.trueLabel() == null ? "" : p.trueLabel()))
                            .append(',').append(csvField(p.predicted())).append(',')
                            .append(String.format(Locale.ROOT, "%.6f", p.confidence())).append(',').append(c.truncated());
                    for (float probability : c.probabilities()) {
                        row.append(',').append(String.format(Locale.ROOT, "%.6f", probability));
                    }
                    writer.write(row.append('\n').toString());
                } else {
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("id", p.id());
                    line.put("title", articles.get(i).title());
                    line.put("true_label", p.trueLabel());
                    line.put("predicted_label", p.predicted());
                    line.put("confidence", p.confidence());
                    line.put("truncated", c.truncated());
                    Map<String, Float> scores = new LinkedHashMap<>();
                    for (int k = 0; k < c.probabilities().length; k++) {
                        scores.put(model.label(k), c.probabilities()[k]);
                    }
                    line.put("scores", scores);
                    writer.write(json.writeValueAsString(line));
                    writer.write('\n');
                }
            }
        }
    }

    static String csvField(String value) {
        return value.contains(",") || value.contains("\"") || value.contains("\n")
                ? "\"" + value.replace("\"", "\"\"") + "\"" : value;
    }
}
