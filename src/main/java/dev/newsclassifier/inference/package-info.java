/**
 * Turns article text into topic labels: the text rule shared with the training tooling, the
 * model's {@code config.json} contract, and the {@link dev.newsclassifier.inference.Classifier}
 * the topology calls, implemented by one ONNX Runtime session and one DJL tokenizer per
 * application.
 */
package dev.newsclassifier.inference;
