package dev.newsclassifier.explain;

import dev.newsclassifier.inference.Attention;
import dev.newsclassifier.inference.ModelConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * One offline page (inline CSS and SVG, no scripts, nothing from the network) that shows, per article, the label and
 * its probabilities, the text with each word shaded by its weight (red argued for the label, blue against), the
 * weights as bars, strongest first, and, when the model's attention was read, where it looked
 * ({@link AttentionFigures}).
 */
public final class ExplanationPage {

    private static final int BAR_WIDTH = 360;

    private ExplanationPage() {
    }

    /**
     * An explained article.
     *
     * @param trueLabel the label a person gave it, or null
     * @param attention the model's attention on its text, or null when not read
     */
    public record Entry(String id, String trueLabel, Explanation explanation, Attention attention) {
    }

    /** Which layer and head (0-based) the token × token heatmap shows; a negative layer counts from the top. */
    public record HeatmapChoice(int layer, int head) {

        public static final HeatmapChoice TOP_LAYER_FIRST_HEAD = new HeatmapChoice(-1, 0);

        int layerOf(Attention attention) {
            return layer < 0 ? attention.layers() + layer : layer;
        }
    }

    public static void write(Path file, ModelConfig model, List<Entry> entries, HeatmapChoice heatmap)
            throws IOException {
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        Files.writeString(file, html(model, entries, heatmap), StandardCharsets.UTF_8);
    }

    static String html(ModelConfig model, List<Entry> entries, HeatmapChoice heatmap) {
        StringBuilder html = new StringBuilder(16 * 1024);
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Why the model chose its "
                + "labels</title><style>body{font-family:sans-serif;margin:24px;color:#222;max-width:1000px}"
                + "h1{font-size:22px}h2{font-size:16px;margin-top:28px;border-bottom:1px solid #ddd}"
                + ".text{font-size:18px;line-height:2}.word{padding:2px 3px;border-radius:3px}"
                + "table{border-collapse:collapse;font-size:13px}td,th{padding:2px 8px;text-align:left}"
                + ".num{text-align:right}.legend{color:#666;font-size:12px}.scroll{overflow-x:auto}"
                + "table.cls-attention td{width:18px;height:16px;padding:0;border:1px solid #fff}"
                + "table.cls-attention th.token{font-weight:normal;font-size:11px;writing-mode:vertical-rl;"
                + "transform:rotate(180deg);padding:2px 0}</style></head><body>\n");
        html.append("<h1>Why ").append(escape(model.name() + " " + model.version()))
                .append(" chose its labels</h1>\n<p class=\"legend\">Each word's weight is how much the label's "
                        + "probability drops when that word alone is left out (occlusion). Red words argued for the "
                        + "label, blue ones against; the deeper the shade, the stronger.</p>\n");
        for (Entry entry : entries) {
            article(html, model, entry, heatmap);
        }
        return html.append("</body></html>\n").toString();
    }

    private static void article(StringBuilder html, ModelConfig model, Entry entry, HeatmapChoice heatmap) {
        Explanation explanation = entry.explanation();
        float[] probabilities = explanation.classification().probabilities();
        String label = model.label(explanation.classification().labelIndex());
        html.append("<section class=\"article\"><h2>").append(escape(entry.id())).append(": ").append(escape(label))
                .append(String.format(Locale.ROOT, " %.3f", probabilities[explanation.classification().labelIndex()]));
        if (entry.trueLabel() != null) {
            html.append(" (true: ").append(escape(entry.trueLabel())).append(")");
        }
        html.append("</h2>\n<p class=\"text\">");
        float strongest = 1e-6f;
        for (WordWeight word : explanation.words()) {
            strongest = Math.max(strongest, Math.abs(word.weight()));
        }
        List<String> words = List.of(explanation.text().strip().split(" +"));
        for (int i = 0; i < words.size(); i++) {
            WordWeight weight = i < explanation.words().size() ? explanation.words().get(i) : null;
            if (weight == null) {
                html.append("<span class=\"word unweighed\">").append(escape(words.get(i))).append("</span> ");
                continue;
            }
            html.append(String.format(Locale.ROOT, "<span class=\"word\" data-weight=\"%.4f\" style=\"background:%s\" "
                    + "title=\"%+.3f\">", weight.weight(), shade(weight.weight() / strongest), weight.weight()))
                    .append(escape(weight.word())).append("</span> ");
        }
        html.append("</p>\n<table class=\"probabilities\"><tr>");
        for (int i = 0; i < model.numLabels(); i++) {
            html.append("<th class=\"num\">").append(escape(model.label(i))).append("</th>");
        }
        html.append("</tr><tr>");
        for (float probability : probabilities) {
            html.append(String.format(Locale.ROOT, "<td class=\"num\">%.3f</td>", probability));
        }
        html.append("</tr></table>\n");
        bars(html, explanation.strongest(Math.min(10, explanation.words().size())), strongest);
        if (entry.attention() != null) {
            AttentionFigures.append(html, entry.attention(), heatmap.layerOf(entry.attention()), heatmap.head());
        }
        html.append("</section>\n");
    }

    private static void bars(StringBuilder html, List<WordWeight> words, float strongest) {
        int rowHeight = 20;
        int labelWidth = 140;
        int width = labelWidth + BAR_WIDTH + 70;
        int height = rowHeight * words.size() + 10;
        html.append(String.format(Locale.ROOT, "<svg class=\"weights\" xmlns=\"http://www.w3.org/2000/svg\" "
                + "width=\"%d\" height=\"%d\" role=\"img\"><title>The strongest words</title>", width, height));
        for (int i = 0; i < words.size(); i++) {
            WordWeight word = words.get(i);
            double length = Math.abs(word.weight()) / strongest * BAR_WIDTH;
            int y = 5 + i * rowHeight;
            html.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"12\">%s"
                    + "</text><rect class=\"weight-bar\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"14\" fill=\"%s\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" font-size=\"12\">%+.3f</text>", labelWidth - 6, y + 11,
                    escape(word.word()), labelWidth, y, Math.max(1, length), word.weight() >= 0 ? "#d62728" : "#1f77b4",
                    labelWidth + Math.max(1, length) + 4, y + 11, word.weight()));
        }
        html.append("</svg>\n");
    }

    /** White to red for a share in (0, 1], white to blue for one in [-1, 0). */
    static String shade(double share) {
        double strength = Math.min(1, Math.abs(share));
        int[] deep = share >= 0 ? new int[] {214, 39, 40} : new int[] {31, 119, 180};
        return String.format(Locale.ROOT, "rgb(%d,%d,%d)", mix(deep[0], strength), mix(deep[1], strength),
                mix(deep[2], strength));
    }

    private static int mix(int deep, double strength) {
        return (int) Math.round(255 + (deep - 255) * strength * 0.8);
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
