package dev.newsclassifier.explain;

/**
 * One word of a text and what it did for the label.
 *
 * @param position the word's place in the text, from 0
 * @param weight the top label's probability with the word less without it: positive where the word argued for the
 *        label, negative where it argued against
 */
public record WordWeight(int position, String word, float weight) {
}
