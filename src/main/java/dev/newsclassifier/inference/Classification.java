package dev.newsclassifier.inference;

/**
 * The model's verdict on one text.
 *
 * @param labelIndex index of the most probable label, a key of the model's {@code id2label}
 * @param probabilities softmax probability of every label, in label-index order
 * @param truncated whether the text was cut to the model's maximum length before inference
 */
public record Classification(int labelIndex, float[] probabilities, boolean truncated) {

    public float confidence() {
        return probabilities[labelIndex];
    }

    /** Picks the most probable label from raw logits, turning them into probabilities. */
    static Classification fromLogits(float[] logits, boolean truncated) {
        float max = Float.NEGATIVE_INFINITY;
        for (float logit : logits) {
            max = Math.max(max, logit);
        }
        double sum = 0;
        double[] exp = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            exp[i] = Math.exp(logits[i] - max);
            sum += exp[i];
        }
        float[] probabilities = new float[logits.length];
        int best = 0;
        for (int i = 0; i < logits.length; i++) {
            probabilities[i] = (float) (exp[i] / sum);
            if (probabilities[i] > probabilities[best]) {
                best = i;
            }
        }
        return new Classification(best, probabilities, truncated);
    }
}
