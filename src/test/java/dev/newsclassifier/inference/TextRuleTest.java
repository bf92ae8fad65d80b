package dev.newsclassifier.inference;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The service side of the text rule; the training tooling checks the same case file. */
class TextRuleTest {

    private static final Path CASES = Path.of("onnx", "text-rule-cases.json");

    static Stream<JsonNode> sharedCases() throws IOException {
        JsonNode root = new ObjectMapper().readTree(CASES.toFile());
        assertThat(root.path("rule").asText()).isEqualTo(TextRule.ID);
        return StreamSupport.stream(root.path("cases").spliterator(), false);
    }

    @ParameterizedTest
    @MethodSource("sharedCases")
    void shouldCleanTextExactlyAsTheTrainingTooling(JsonNode testCase) {
        assertThat(TextRule.apply(testCase.path("title").asText(), testCase.path("description").asText()))
                .isEqualTo(testCase.path("text").asText());
    }

    @Test
    void shouldMatchTheRulesRegularExpressionDefinitionOnRandomText() {
        // Short strings over the characters the rule treats specially find the corner cases: prefixes, nested and
        // adjacent entities, invalid code points, digit runs too long to parse, whitespace around decoded spaces.
        String[] pieces = {"&", "#", ";", " ", "\\", "x", "X", "3", "9", "0", "1", "a", "F", "amp", "lt", "nbsp", "quot",
            "#39;", "&#", "&#x", "\t", "\n", "\u000B", "\u001C", "\u00A0", "é", "99999999", "123456789", "D800", "110000"};
        Random random = new Random(7);
        for (int run = 0; run < 20_000; run++) {
            String title = randomText(random, pieces);
            String description = randomText(random, pieces);
            assertThat(TextRule.apply(title, description))
                    .as("title %s, description %s", title, description)
                    .isEqualTo(RegexDefinition.apply(title, description));
        }
    }

    private static String randomText(Random random, String[] pieces) {
        StringBuilder text = new StringBuilder();
        for (int k = random.nextInt(8); k > 0; k--) {
            text.append(pieces[random.nextInt(pieces.length)]);
        }
        return text.toString();
    }

    /** The rule as its description states it, in regular expressions: the reference the one-pass scan must equal. */
    private static final class RegexDefinition {

        private static final Pattern ENTITY = Pattern.compile(
                "&#[xX]([0-9a-fA-F]+);|[& ]?#([0-9]+);|&(amp|lt|gt|quot|apos|nbsp);");
        private static final Map<String, String> NAMED = Map.of(
                "amp", "&", "lt", "<", "gt", ">", "quot", "\"", "apos", "'", "nbsp", " ");

        static String apply(String title, String description) {
            String head = title.strip();
            String body = description.strip();
            String joined = head.isEmpty() ? body : body.isEmpty() ? head : head + " " + body;
            String text = ENTITY.matcher(joined.replace('\\', ' ')).replaceAll(RegexDefinition::decode);
            return text.replaceAll("\\s+", " ").strip();
        }

        private static String decode(MatchResult match) {
            if (match.group(3) != null) {
                return Matcher.quoteReplacement(NAMED.get(match.group(3)));
            }
            boolean hex = match.group(1) != null;
            String digits = hex ? match.group(1) : match.group(2);
            if (digits.length() > 8) {
                return Matcher.quoteReplacement(match.group());
            }
            long codePoint = Long.parseLong(digits, hex ? 16 : 10);
            boolean valid = codePoint > 0 && codePoint <= Character.MAX_CODE_POINT
                    && !(codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE);
            return Matcher.quoteReplacement(valid ? Character.toString((int) codePoint) : match.group());
        }
    }
}
