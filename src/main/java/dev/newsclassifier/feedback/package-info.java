/**
 * Late ground truth: true labels from the feedback topic joined with the service's own predictions, exactly once,
 * into live accuracy, per-label precision and recall, a confusion matrix and drift signals.
 */
package dev.newsclassifier.feedback;
