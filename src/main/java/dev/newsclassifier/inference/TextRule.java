package dev.newsclassifier.inference;

/**
 * Builds the text the model sees from an article's title and description.
 *
 * <p>This is rule {@value #ID}, the one the model was trained with: the training tooling
 * ({@code onnx/tooling/text_rule.py}) applies the same rule, both are checked against every case
 * of {@code onnx/text-rule-cases.json}, and the model's {@code config.json} names it. AG News
 * wrote line breaks as backslashes and HTML entities without their ampersand, often leaving a
 * space in its place ({@code Haiti #39;s}), so text from such feeds must be cleaned exactly as
 * in training or the model sees tokens it never saw there.
 *
 * <p>The rule runs on the stream thread for every article, so it is one hand-written left-to-right
 * scan: chained regular expressions took about a third of that thread's CPU once the model was
 * removed from the profile. The scan keeps the regular-expression semantics of the rule's
 * definition: every entity form in one pass, so text one replacement produces is never decoded
 * again ({@code &amp;lt;} becomes {@code &lt;}, not {@code <}); a space or '&' before {@code #NNN;}
 * belongs to the entity; whitespace runs ({@code [ \t\n\x0B\f\r]}, the decoded characters
 * included) become one space.
 */
public final class TextRule {

    public static final String ID = "agnews-text-v1";

    private static final String[] NAMED = {"amp", "lt", "gt", "quot", "apos", "nbsp"};
    private static final String[] NAMED_AS = {"&", "<", ">", "\"", "'", " "};
    /** Longer digit strings cannot name a code point; they stay as written without being parsed. */
    private static final int MAX_DIGITS = 8;

    private TextRule() {
    }

    /** The model input for an article: cleaned title and description joined by one space. */
    public static String apply(String title, String description) {
        String head = title == null ? "" : title.strip();
        String body = description == null ? "" : description.strip();
        String joined = head.isEmpty() ? body : body.isEmpty() ? head : head + " " + body;
        StringBuilder out = new StringBuilder(joined.length());
        int n = joined.length();
        int i = 0;
        while (i < n) {
            int end = entityAt(joined, i, out);
            if (end > i) {
                i = end;
            } else {
                append(out, at(joined, i));
                i++;
            }
        }
        return out.toString().strip();
    }

    /**
     * Decodes the entity starting at {@code i} into {@code out} (written as it was when it names no valid character)
     * and returns where it ends; returns {@code i} when no entity starts there. Forms are tried in the definition's
     * order: {@code &#xHH;}, then {@code [& ]?#NNN;}, then the named ones.
     */
    private static int entityAt(String s, int i, StringBuilder out) {
        char c = at(s, i);
        if (c == '&' && i + 2 < s.length() && s.charAt(i + 1) == '#' && (s.charAt(i + 2) == 'x' || s.charAt(i + 2) == 'X')) {
            int end = digitsThenSemicolon(s, i + 3, true);
            if (end > 0) {
                return numeric(s, i, i + 3, end, 16, out);
            }
        }
        int hash = (c == '&' || c == ' ') ? i + 1 : i;
        if (hash < s.length() && s.charAt(hash) == '#') {
            int end = digitsThenSemicolon(s, hash + 1, false);
            if (end > 0) {
                return numeric(s, i, hash + 1, end, 10, out);
            }
        }
        // "[& ]?" may also match nothing: then '#' itself must start the entity, which is not the case here.
        if (c == '&') {
            for (int k = 0; k < NAMED.length; k++) {
                String name = NAMED[k];
                int semicolon = i + 1 + name.length();
                if (semicolon < s.length() && s.charAt(semicolon) == ';' && s.startsWith(name, i + 1)) {
                    append(out, NAMED_AS[k]);
                    return semicolon + 1;
                }
            }
        }
        return i;
    }

    /** The index after the ';' ending a non-empty run of digits starting at {@code from}, or -1. */
    private static int digitsThenSemicolon(String s, int from, boolean hex) {
        int j = from;
        while (j < s.length() && isDigit(s.charAt(j), hex)) {
            j++;
        }
        return j > from && j < s.length() && s.charAt(j) == ';' ? j + 1 : -1;
    }

    private static boolean isDigit(char c, boolean hex) {
        return (c >= '0' && c <= '9') || (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
    }

    /** The numeric entity {@code s[start, end)}, its digits at {@code [digits, end - 1)}. */
    private static int numeric(String s, int start, int digits, int end, int radix, StringBuilder out) {
        int length = end - 1 - digits;
        if (length <= MAX_DIGITS) {
            long codePoint = Long.parseLong(s, digits, end - 1, radix);
            if (codePoint > 0 && codePoint <= Character.MAX_CODE_POINT
                    && !(codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE)) {
                append(out, Character.toString((int) codePoint));
                return end;
            }
        }
        for (int k = start; k < end; k++) {
            append(out, at(s, k));
        }
        return end;
    }

    /** Backslashes read as spaces: AG News's line breaks. */
    private static char at(String s, int i) {
        char c = s.charAt(i);
        return c == '\\' ? ' ' : c;
    }

    private static void append(StringBuilder out, String text) {
        for (int k = 0; k < text.length(); k++) {
            append(out, text.charAt(k));
        }
    }

    private static void append(StringBuilder out, char c) {
        boolean whitespace = c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
        if (!whitespace) {
            out.append(c);
        } else if (out.isEmpty() || out.charAt(out.length() - 1) != ' ') {
            out.append(' ');
        }
    }
}
