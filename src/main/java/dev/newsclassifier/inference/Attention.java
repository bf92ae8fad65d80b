package dev.newsclassifier.inference;

import java.util.List;

/**
 * What the model looked at for one text: its tokens (special tokens included) and each layer's attention
 * probabilities, {@code weights[layer][head][from][to]}, every row summing to 1.
 *
 * @param tokens the word pieces the model read, {@code [CLS]} first
 * @param logits the model's output for the text, as the served model gives it
 */
public record Attention(List<String> tokens, float[] logits, float[][][][] weights) {

    public Attention {
        tokens = List.copyOf(tokens);
    }

    public int layers() {
        return weights.length;
    }

    public int heads() {
        return weights.length == 0 ? 0 : weights[0].length;
    }

    /** How much the first token ({@code [CLS]}, which the classifier head reads) attends to each token, averaged over the heads of {@code layer}. */
    public float[] firstTokenRow(int layer) {
        float[] row = new float[tokens.size()];
        for (float[][] head : weights[layer]) {
            for (int to = 0; to < row.length; to++) {
                row[to] += head[0][to] / weights[layer].length;
            }
        }
        return row;
    }

    /** The token × token attention of one head: {@code [from][to]}. */
    public float[][] head(int layer, int head) {
        return weights[layer][head];
    }
}
