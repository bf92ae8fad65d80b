package dev.newsclassifier.inference;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the text the model sees from an article's title and description.
 *
 * <p>This is rule {@value #ID}, the one the model was trained with: the training tooling
 * ({@code onnx/tooling}) applies the same rule, both are checked against
 * {@code onnx/text-rule-cases.json}, and the model's {@code config.json} names it. AG News
 * wrote line breaks as backslashes and HTML entities without their ampersand ({@code #39;}),
 * so text from the same kind of feeds must be cleaned the same way or the model sees tokens it
 * never saw in training.
 */
public final class TextRule {

    public static final String ID = "agnews-text-v1";

    private static final Pattern DECIMAL_ENTITY = Pattern.compile("&?#(\\d{1,7});");
    private static final Pattern HEX_ENTITY = Pattern.compile("&#[xX]([0-9a-fA-F]{1,6});");
    private static final Pattern NAMED_ENTITY = Pattern.compile("&(amp|lt|gt|quot|apos|nbsp);");
    private static final Map<String, String> NAMED = Map.of(
            "amp", "&", "lt", "<", "gt", ">", "quot", "\"", "apos", "'", "nbsp", " ");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private TextRule() {
    }

    /** The model input for an article: cleaned title and description joined by one space. */
    public static String apply(String title, String description) {
        String head = title == null ? "" : title.strip();
        String body = description == null ? "" : description.strip();
        String joined = head.isEmpty() ? body : body.isEmpty() ? head : head + " " + body;
        String text = joined.replace('\\', ' ');
        text = replaceCodePoints(HEX_ENTITY, text, 16);
        text = replaceCodePoints(DECIMAL_ENTITY, text, 10);
        text = NAMED_ENTITY.matcher(text).replaceAll(m -> Matcher.quoteReplacement(NAMED.get(m.group(1))));
        return WHITESPACE.matcher(text).replaceAll(" ").strip();
    }

    /** Entities naming no valid character (0, surrogates, beyond U+10FFFF) stay as written. */
    private static String replaceCodePoints(Pattern entity, String text, int radix) {
        return entity.matcher(text).replaceAll(match -> {
            int codePoint = Integer.parseInt(match.group(1), radix);
            boolean valid = codePoint > 0 && codePoint <= Character.MAX_CODE_POINT
                    && !(codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE);
            return Matcher.quoteReplacement(valid ? Character.toString(codePoint) : match.group());
        });
    }
}
