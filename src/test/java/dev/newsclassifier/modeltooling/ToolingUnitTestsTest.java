package dev.newsclassifier.modeltooling;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Runs the Python unit tests of the model tooling (onnx/tooling/tests) as part of the Maven build. */
class ToolingUnitTestsTest {

    @Test
    void shouldPassPythonToolingUnitTests() throws Exception {
        PythonTooling.requirePython();
        Process p = new ProcessBuilder(PythonTooling.python(), "-m", "unittest", "discover", "-s",
                PythonTooling.TOOLING.resolve("tests").toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("unit tests finish in 2 minutes").isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("OK");
    }
}
