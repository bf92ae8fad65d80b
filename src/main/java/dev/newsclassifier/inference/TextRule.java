package dev.newsclassifier.inference;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the text the model sees from an article's title and description.
 *
 * <p>This is rule {@value #ID}, the one the model was trained with: the training tooling
 * ({@code onnx/tooling/text_rule.py}) applies the same rule, both are checked against every case
 * of {@code onnx/text-rule-cases.json}, and the model's {@code config.json} names it. AG News
 * wrote line breaks as backslashes and HTML entities without their ampersand, often leaving a
 * space in its place ({@code Haiti #39;s}), so text from such feeds must be cleaned exactly as
 * in training or the model sees tokens it never saw there.
 */
public final class TextRule {

    public static final String ID = "agnews-text-v1";

    /**
     * Every entity form in one left-to-right pass, so text one replacement produces is never
     * decoded again ({@code &amp;lt;} becomes {@code &lt;}, not {@code <}). A space or '&' before
     * {@code #NNN;} belongs to the entity.
     */
    private static final Pattern ENTITY = Pattern.compile(
            "&#[xX]([0-9a-fA-F]+);|[& ]?#([0-9]+);|&(amp|lt|gt|quot|apos|nbsp);");
    private static final Map<String, String> NAMED = Map.of(
            "amp", "&", "lt", "<", "gt", ">", "quot", "\"", "apos", "'", "nbsp", " ");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    /** Longer digit strings cannot name a code point; they stay as written without being parsed. */
    private static final int MAX_DIGITS = 8;

    private TextRule() {
    }

    /** The model input for an article: cleaned title and description joined by one space. */
    public static String apply(String title, String description) {
        String head = title == null ? "" : title.strip();
        String body = description == null ? "" : description.strip();
        String joined = head.isEmpty() ? body : body.isEmpty() ? head : head + " " + body;
        String text = ENTITY.matcher(joined.replace('\\', ' ')).replaceAll(TextRule::decode);
        return WHITESPACE.matcher(text).replaceAll(" ").strip();
    }

    private static String decode(java.util.regex.MatchResult match) {
        if (match.group(3) != null) {
            return Matcher.quoteReplacement(NAMED.get(match.group(3)));
        }
        boolean hex = match.group(1) != null;
        String digits = hex ? match.group(1) : match.group(2);
        if (digits.length() > MAX_DIGITS) {
            return Matcher.quoteReplacement(match.group());
        }
        long codePoint = Long.parseLong(digits, hex ? 16 : 10);
        boolean valid = codePoint > 0 && codePoint <= Character.MAX_CODE_POINT
                && !(codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE);
        return Matcher.quoteReplacement(valid ? Character.toString((int) codePoint) : match.group());
    }
}
