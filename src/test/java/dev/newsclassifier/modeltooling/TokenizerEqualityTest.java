package dev.newsclassifier.modeltooling;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The tooling trains on token ids from its own Python WordPiece tokenizer; the service tokenizes
 * with DJL's HuggingFaceTokenizer. Both must give the same ids for the same text.
 */
class TokenizerEqualityTest {

    /** Hand-written texts that exercise normalisation, punctuation, sub-words, [UNK] and truncation. */
    private static final List<String> TRICKY = List.of(
            "Storm shows Haiti's straits: muddy waters",
            "Oil up $46.5 a barrel (3.2%) -- analysts say \"buy\"; others <b>sell</b>!",
            "Café München, naïve façade, Ångström, résumé",
            "ÀÉÎÕÜ ß Œuvre ǅ",
            "Tokyo 東京 stocks rise; 北京 talks",
            "emoji \uD83D\uDE00 and symbols © ® ™ € £ ¥ § ¶",
            "hyphen-ated e-mail U.S. U.N. S&P 500 AT&T 9/11 #1 @user ~tilde^caret|pipe`tick",
            "control\u0007char zero\u200bwidth soft\u00adhyphen",
            "x".repeat(120) + " word",
            "supercalifragilisticexpialidocious antidisestablishmentarianism pneumonoultramicroscopic",
            "α β γ Ελλάδα Россия مرحبا עברית हिन्दी",
            "   leading and trailing   ",
            "",
            "long ".repeat(200).strip());

    @Test
    void shouldTokenizeLikeDjlOnTrickyAndRealTexts() throws Exception {
        PythonTooling.requirePython();
        Path tokenizerJson = PythonTooling.extractResource("all-minilm-l6-v2-tokenizer.json");
        ObjectMapper json = new ObjectMapper();
        Path in = PythonTooling.WORK.resolve("tokenizer-texts.json");
        Path out = PythonTooling.WORK.resolve("tokenizer-ids.json");
        json.writeValue(in.toFile(), Map.of("texts", TRICKY));

        List<String> args = new ArrayList<>(List.of("--tokenizer", tokenizerJson.toString(), "--input", in.toString(),
                "--output", out.toString()));
        // Real AG News texts too, where the data directory is present (it is never committed).
        Path dataDir = dataDir();
        boolean realTexts = Files.exists(dataDir.resolve("test_part.csv.gz"));
        if (realTexts) {
            args.addAll(List.of("--data-dir", dataDir.toString(), "--limit", "400"));
        }
        PythonTooling.run("tokenize_texts.py", 300, args.toArray(String[]::new));
        JsonNode result = json.readTree(out.toFile());
        assertThat(result.get("texts").size()).isEqualTo(TRICKY.size() + (realTexts ? 400 : 0));

        try (HuggingFaceTokenizer djl = HuggingFaceTokenizer.builder().optTokenizerPath(tokenizerJson)
                .optMaxLength(128).optTruncation(true).optPadding(false).build()) {
            for (int i = 0; i < result.get("texts").size(); i++) {
                String text = result.get("texts").get(i).asText();
                long[] expected = djl.encode(text).getIds();
                long[] actual = json.convertValue(result.get("token_ids").get(i), long[].class);
                assertThat(actual).as("token ids of <%s>", text).containsExactly(expected);
            }
        }
    }

    private static Path dataDir() {
        String env = System.getenv("NEWS_CLASSIFIER_DATA_DIR");
        return env == null || env.isBlank() ? Path.of("..", "shared", "data", "ag_news") : Path.of(env);
    }
}
