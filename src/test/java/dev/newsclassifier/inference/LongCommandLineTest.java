package dev.newsclassifier.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * ONNX Runtime recurses once per character of the process command line while it creates its
 * environment; on a default thread stack a command line over about 4 KB killed the JVM with SIGSEGV
 * and no error report. The service creates that environment on a thread with a large stack
 * ({@link RuntimeEnvironment}), so a JVM launched with a long class path still loads the model.
 */
class LongCommandLineTest {

    /** Far beyond the 4 KB that crashed, well inside Linux's 128 KB limit for one argument. */
    private static final int COMMAND_LINE_CHARACTERS = 32_000;

    @Test
    void shouldLoadAndRunTheModelInAJvmWithALongCommandLine() throws Exception {
        String padding = IntStream.range(0, COMMAND_LINE_CHARACTERS / 40)
                .mapToObj(i -> String.format("/nonexistent/padding-%05d/library-1.0.jar", i))
                .collect(Collectors.joining(File.pathSeparator));
        String classPath = System.getProperty("java.class.path") + File.pathSeparator + padding;
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, LoadModel.class.getName(), Path.of("onnx", "models", "fast").toString());

        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(String.join(" ", command).length()).isGreaterThan(COMMAND_LINE_CHARACTERS);
        assertThat(child.exitValue()).as(output).isZero();
        assertThat(output).contains(LoadModel.LOADED);
    }

    /** The child JVM: loads a shipped model and classifies one text. */
    public static final class LoadModel {
        static final String LOADED = "model loaded and ran";

        public static void main(String[] args) {
            try (OnnxClassifier classifier = OnnxClassifier.load(Path.of(args[0]), InferenceOptions.cpu(1))) {
                classifier.classify(List.of("Shares rally as the central bank holds rates"));
                System.out.println(LOADED);
            }
        }
    }
}
