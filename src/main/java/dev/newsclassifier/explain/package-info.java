/**
 * Why the model gave a label: occlusion, each word's weight the drop in the top label's probability when that word
 * alone is left out of the text.
 */
package dev.newsclassifier.explain;
