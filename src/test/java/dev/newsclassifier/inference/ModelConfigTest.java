package dev.newsclassifier.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelConfigTest {

    private static final String VALID = """
            {"model_name": "m", "model_version": "2", "num_labels": 2, "max_length": 64,
             "id2label": {"1": "Sports", "0": "World"}, "label2id": {"World": 0, "Sports": 1},
             "text_rule": {"id": "agnews-text-v1"}}
            """;

    @TempDir
    Path dir;

    private Path write(String json) throws IOException {
        return Files.writeString(dir.resolve("config.json"), json);
    }

    @Test
    void shouldReadLabelsInIndexOrderFromId2label() throws IOException {
        ModelConfig config = ModelConfig.read(write(VALID));

        assertThat(config.labels()).containsExactly("World", "Sports");
        assertThat(config.name()).isEqualTo("m");
        assertThat(config.version()).isEqualTo("2");
        assertThat(config.maxLength()).isEqualTo(64);
    }

    @Test
    void shouldNameThePathWhenTheFileIsMissing() {
        assertThatThrownBy(() -> ModelConfig.read(dir.resolve("config.json")))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage("Cannot load model " + dir.resolve("config.json") + ": file not found");
    }

    @Test
    void shouldRejectCorruptJson() throws IOException {
        Path file = write("{\"model_name\": ");
        assertThatThrownBy(() -> ModelConfig.read(file)).hasMessageContaining(file + ": not valid JSON");
    }

    @Test
    void shouldRejectLabelCountThatDisagreesWithId2label() throws IOException {
        Path file = write(VALID.replace("\"num_labels\": 2", "\"num_labels\": 4"));
        assertThatThrownBy(() -> ModelConfig.read(file)).hasMessageContaining("num_labels is 4 but id2label has 2");
    }

    @Test
    void shouldRejectGapsInLabelIndexes() throws IOException {
        Path file = write(VALID.replace("\"1\": \"Sports\"", "\"2\": \"Sports\"").replace("\"num_labels\": 2, ", ""));
        assertThatThrownBy(() -> ModelConfig.read(file)).hasMessageContaining("id2label keys must be 0..1");
    }

    @Test
    void shouldRejectAModelTrainedWithAnotherTextRule() throws IOException {
        Path file = write(VALID.replace("agnews-text-v1", "raw-text"));
        assertThatThrownBy(() -> ModelConfig.read(file)).hasMessageContaining("text_rule.id is 'raw-text'");
    }

    @Test
    void shouldRejectMissingMaxLength() throws IOException {
        Path file = write(VALID.replace("\"max_length\": 64,", ""));
        assertThatThrownBy(() -> ModelConfig.read(file)).hasMessageContaining("max_length must be a positive integer");
    }
}
