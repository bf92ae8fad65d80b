package dev.newsclassifier.explain;

import static dev.newsclassifier.explain.ExplanationPage.escape;

import dev.newsclassifier.inference.Attention;
import java.util.Locale;

/**
 * The attention figures of the explanation page, as in the lesson: how much the {@code [CLS]} token (the one the
 * classifier reads) attends to each token, averaged over the heads, one row per layer; and one head's token × token
 * matrix, each row a token attending to every token.
 */
final class AttentionFigures {

    private static final int CELL = 14;
    private static final int LABEL_SPACE = 110;

    private AttentionFigures() {
    }

    /**
     * @param layer the heatmap's layer, 0-based
     * @param head the heatmap's head, 0-based
     */
    static void append(StringBuilder html, Attention attention, int layer, int head) {
        html.append("<h3>Where the model looked</h3>\n<p class=\"legend\">Attention of [CLS] to each token, averaged "
                + "over the heads, one row per layer (bottom first): the darker, the more of its attention.</p>\n");
        firstTokenRows(html, attention);
        html.append(String.format(Locale.ROOT, "<p class=\"legend\">Layer %d, head %d of %d: row <i>i</i> is how "
                + "token <i>i</i> divides its attention among the tokens (each row sums to 1).</p>%n", layer + 1,
                head + 1, attention.heads()));
        heatmap(html, attention, layer, head);
    }

    private static void firstTokenRows(StringBuilder html, Attention attention) {
        html.append("<div class=\"scroll\"><table class=\"cls-attention\"><tr><th></th>");
        for (String token : attention.tokens()) {
            html.append("<th class=\"token\">").append(escape(token)).append("</th>");
        }
        html.append("</tr>\n");
        for (int layer = 0; layer < attention.layers(); layer++) {
            float[] row = attention.firstTokenRow(layer);
            float strongest = max(row);
            html.append("<tr><th>layer ").append(layer + 1).append("</th>");
            for (float weight : row) {
                html.append(String.format(Locale.ROOT, "<td class=\"cls-cell\" data-weight=\"%.4f\" "
                        + "style=\"background:%s\" title=\"%.3f\"></td>", weight, blue(weight / strongest), weight));
            }
            html.append("</tr>\n");
        }
        html.append("</table></div>\n");
    }

    private static void heatmap(StringBuilder html, Attention attention, int layer, int head) {
        float[][] matrix = attention.head(layer, head);
        int n = matrix.length;
        int size = LABEL_SPACE + n * CELL + 4;
        html.append(String.format(Locale.ROOT, "<div class=\"scroll\"><svg class=\"attention-heatmap\" "
                + "xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\"><title>Attention of "
                + "layer %d, head %d</title>", size, size, layer + 1, head + 1));
        for (int i = 0; i < n; i++) {
            String token = escape(attention.tokens().get(i));
            int middle = LABEL_SPACE + i * CELL + CELL / 2 + 4;
            html.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"10\">%s"
                    + "</text><text transform=\"translate(%d,%d) rotate(-90)\" font-size=\"10\">%s</text>",
                    LABEL_SPACE - 4, middle, token, middle, LABEL_SPACE - 4, token));
        }
        for (int from = 0; from < n; from++) {
            for (int to = 0; to < n; to++) {
                html.append(String.format(Locale.ROOT, "<rect class=\"attention-cell\" x=\"%d\" y=\"%d\" width=\"%d\" "
                        + "height=\"%d\" fill=\"%s\"><title>%s → %s: %.3f</title></rect>", LABEL_SPACE + to * CELL,
                        LABEL_SPACE + from * CELL, CELL - 1, CELL - 1, blue(matrix[from][to]),
                        escape(attention.tokens().get(from)), escape(attention.tokens().get(to)), matrix[from][to]));
            }
        }
        html.append("</svg></div>\n");
    }

    private static float max(float[] values) {
        float max = 1e-6f;
        for (float value : values) {
            max = Math.max(max, value);
        }
        return max;
    }

    /** White for 0 to deep blue for 1. */
    private static String blue(double share) {
        double strength = Math.max(0, Math.min(1, share));
        return String.format(Locale.ROOT, "rgb(%d,%d,%d)", (int) Math.round(255 - 247 * strength),
                (int) Math.round(255 - 207 * strength), (int) Math.round(255 - 148 * strength));
    }
}
