/**
 * Operating the model inside the running stream: swapping it without a restart ({@link
 * dev.newsclassifier.modelops.ModelSwapper}, served at {@code /admin/model}) and the metrics that say which model
 * serves.
 */
package dev.newsclassifier.modelops;
