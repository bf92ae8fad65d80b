/**
 * Reads articles with known labels from files people have: AG News CSV in both formats found
 * in the wild, and JSON Lines. Used by {@code demo --input} and by the replay and evaluation tools.
 */
package dev.newsclassifier.dataset;
