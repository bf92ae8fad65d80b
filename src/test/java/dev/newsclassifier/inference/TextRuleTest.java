package dev.newsclassifier.inference;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
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
}
