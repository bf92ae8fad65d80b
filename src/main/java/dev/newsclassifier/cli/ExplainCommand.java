package dev.newsclassifier.cli;

import dev.newsclassifier.dataset.DatasetFormatException;
import dev.newsclassifier.dataset.DatasetReader;
import dev.newsclassifier.dataset.LabeledArticle;
import dev.newsclassifier.evaluation.TextTable;
import dev.newsclassifier.explain.Explanation;
import dev.newsclassifier.explain.ExplanationPage;
import dev.newsclassifier.explain.Occlusion;
import dev.newsclassifier.explain.WordWeight;
import dev.newsclassifier.inference.AttentionModel;
import dev.newsclassifier.inference.InferenceOptions;
import dev.newsclassifier.inference.ModelConfig;
import dev.newsclassifier.inference.ModelLoadException;
import dev.newsclassifier.inference.OnnxClassifier;
import dev.newsclassifier.inference.TextRule;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Says which words decided an article's label, by occlusion, and where the model looked (its attention). */
@Command(name = "explain", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 120,
        description = {"Classify an article (or the first articles of a file) and say which words decided its label:",
                "each word's weight is how much the label's probability drops when that word alone is left out",
                "(occlusion; the article and all its variants go to the model in one call). With --html, the page",
                "also shows the model's attention: [CLS]'s row averaged over the heads per layer, and the token x",
                "token matrix of one layer and head (--attention-layer, --attention-head).",
                "",
                "Examples:",
                "  ./news-classifier explain --title \"Chipmaker shares jump on record quarter\"",
                "  ./news-classifier explain --title \"...\" --description \"...\" --top 8",
                "  ./news-classifier explain --input ../shared/data/ag_news/test_part.csv.gz --limit 20",
                "  ./news-classifier explain --title \"...\" --html explain.html      # open it in a browser",
                "  ./news-classifier explain --title \"...\" --html explain.html --attention-layer 3 --attention-head 7",
                ""})
final class ExplainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--title", paramLabel = "TEXT", description = "The article's title")
    String title;

    @Option(names = "--description", paramLabel = "TEXT", defaultValue = "", description = "The article's description")
    String description;

    @Option(names = {"-i", "--input"}, paramLabel = "FILE",
            description = "Explain the articles of this file instead: AG News CSV (either layout, .gz allowed) or JSON Lines")
    Path input;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "10",
            description = "With --input, the first N articles (default: ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--top", paramLabel = "K", defaultValue = "5",
            description = "Words shown per article, strongest first (default: ${DEFAULT-VALUE})")
    int top;

    @Option(names = "--max-words", paramLabel = "N", defaultValue = "128",
            description = "Words weighed per article, each one more text for the model; later words are not weighed "
                    + "(default: ${DEFAULT-VALUE}, the shipped models' max_length in tokens)")
    int maxWords;

    @Option(names = "--model-dir", paramLabel = "DIR",
            description = "Model folder (default: system property news.model.dir, else onnx/models/default)")
    Path modelDir;

    @Option(names = "--html", paramLabel = "FILE",
            description = "Also write an offline page: each text with its words shaded by weight, the weights as bars, "
                    + "and the model's attention")
    Path html;

    @Option(names = "--attention-layer", paramLabel = "N",
            description = "The page's token x token heatmap shows this layer, 1 = bottom (default: the top layer)")
    Integer attentionLayer;

    @Option(names = "--attention-head", paramLabel = "N", defaultValue = "1",
            description = "... and this head of it, from 1 (default: ${DEFAULT-VALUE})")
    int attentionHead;

    @Override
    public Integer call() {
        ToolSupport.quietLibraries();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if ((title == null) == (input == null)) {
            err.println("Give either --title (and --description) or --input FILE");
            return 2;
        }
        if (top < 1 || maxWords < 1 || limit < 1) {
            err.println("--top, --max-words and --limit must be at least 1");
            return 2;
        }
        if (input != null && !Files.isReadable(input)) {
            err.println("Cannot read " + input);
            return 2;
        }
        if (attentionHead < 1 || (attentionLayer != null && attentionLayer < 1)) {
            err.println("--attention-layer and --attention-head count from 1");
            return 2;
        }
        Path dir = modelDir != null ? modelDir : ToolSupport.defaultModelDir();
        try (OnnxClassifier classifier = OnnxClassifier.load(dir, InferenceOptions.cpu(
                Integer.parseInt(InferenceOptions.DEFAULT_INTRA_OP_THREADS),
                Integer.parseInt(InferenceOptions.DEFAULT_CHUNK_SIZE),
                Integer.parseInt(InferenceOptions.DEFAULT_CONCURRENT_CHUNKS)));
                AttentionModel attention = html == null ? null : openAttention(dir, err)) {
            ExplanationPage.HeatmapChoice heatmap = heatmap(attention, err);
            if (attention != null && heatmap == null) {
                return 2;
            }
            List<LabeledArticle> articles = articles(classifier.model());
            Occlusion occlusion = new Occlusion(classifier, maxWords);
            long started = System.nanoTime();
            long variants = 0;
            List<ExplanationPage.Entry> entries = new ArrayList<>();
            for (LabeledArticle article : articles) {
                String text = TextRule.apply(article.title(), article.description());
                Explanation explanation = occlusion.explain(text);
                variants += explanation.variants();
                print(out, article, explanation, classifier.model());
                entries.add(new ExplanationPage.Entry(article.id(), article.label(), explanation,
                        attention == null ? null : attention.attend(text)));
            }
            double millis = (System.nanoTime() - started) / 1e6;
            out.printf("%d article(s) explained with %s %s: %.1f ms and %.1f texts classified per article%s%n",
                    articles.size(), classifier.model().name(), classifier.model().version(), millis / articles.size(),
                    variants / (double) articles.size(), attention == null ? "" : ", attention read once more");
            if (html != null) {
                ExplanationPage.write(html, classifier.model(), entries,
                        heatmap == null ? ExplanationPage.HeatmapChoice.TOP_LAYER_FIRST_HEAD : heatmap);
                out.println("Page: " + html);
            }
            return 0;
        } catch (java.io.IOException e) {
            err.println("Cannot write " + html + ": " + e.getMessage());
            return 1;
        } catch (ModelLoadException e) {
            err.println("Cannot load the model: " + e.getMessage());
            return 2;
        } catch (DatasetFormatException e) {
            err.println("Malformed record: " + e.getMessage());
            return 2;
        }
    }

    /** The folder's attention model, or null (said on stderr) when its config names no attention outputs. */
    private static AttentionModel openAttention(Path dir, PrintWriter err) {
        if (AttentionModel.attentionOutputs(dir).isEmpty()) {
            err.println("The page shows no attention: " + dir.resolve("config.json") + " names no attention outputs "
                    + "(`reproduce.py --stages explain` adds them)");
            return null;
        }
        return AttentionModel.open(dir, Integer.parseInt(InferenceOptions.DEFAULT_INTRA_OP_THREADS));
    }

    /** The heatmap's layer and head, 0-based, or null (said on stderr) when the model has no such layer or head. */
    private ExplanationPage.HeatmapChoice heatmap(AttentionModel attention, PrintWriter err) {
        if (attention == null) {
            return null;
        }
        int layers = attention.layers();
        int heads = attention.heads();
        int layer = attentionLayer == null ? layers : attentionLayer;
        if (layer > layers || attentionHead > heads) {
            err.printf("The model has %d layer(s) of %d heads: --attention-layer 1..%d, --attention-head 1..%d%n",
                    layers, heads, layers, heads);
            return null;
        }
        return new ExplanationPage.HeatmapChoice(layer - 1, attentionHead - 1);
    }

    private List<LabeledArticle> articles(ModelConfig model) {
        if (input == null) {
            return List.of(new LabeledArticle("article", title, description, null, null, 0));
        }
        List<LabeledArticle> articles = new ArrayList<>();
        new DatasetReader(model.labels(), false).read(input, article -> {
            if (articles.size() < limit) {
                articles.add(article);
            }
        }, error -> { });
        return articles;
    }

    private void print(PrintWriter out, LabeledArticle article, Explanation explanation, ModelConfig model) {
        float[] probabilities = explanation.classification().probabilities();
        String label = model.label(explanation.classification().labelIndex());
        StringBuilder scores = new StringBuilder();
        for (int i = 0; i < model.numLabels(); i++) {
            scores.append(String.format("  %s %.3f", model.label(i), probabilities[i]));
        }
        String truth = article.label() == null ? "" : "  (true: " + article.label() + ")";
        out.printf("%s: %s%s%n  %s%n  scores:%s%n", article.id(), label, truth, explanation.text(), scores);
        TextTable table = new TextTable("word", "weight>", "probability of " + label + " without it>");
        float whole = probabilities[explanation.classification().labelIndex()];
        for (WordWeight word : explanation.strongest(top)) {
            table.row(word.word(), String.format("%+.3f", word.weight()), String.format("%.3f", whole - word.weight()));
        }
        table.print(out, "  ");
        if (explanation.unweighedWords() > 0) {
            out.printf("  (%d later words not weighed: --max-words)%n", explanation.unweighedWords());
        }
        out.println();
        out.flush();
    }
}
