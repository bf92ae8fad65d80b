package dev.newsclassifier.modeltooling;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs the Python model tooling (onnx/tooling) from tests. The tooling needs /usr/bin/python3 with
 * torch, onnx and numpy; where they are missing the tests are skipped, unless
 * NEWS_CLASSIFIER_REQUIRE_PYTHON=1 (CI), where they fail.
 */
final class PythonTooling {

    static final Path TOOLING = Path.of("onnx", "tooling");
    static final Path WORK = Path.of("target", "model-tooling");

    /**
     * The bench's own dependencies (onnx/tooling/pom.xml: ONNX Runtime, DJL tokenizers and what they
     * pull in), as reproduce.py gives it. The whole test classpath on the bench's command line would be
     * some 26 KB long, and ONNX Runtime recurses once per command-line character while it creates its
     * environment: the bench's main thread would overflow its stack and the JVM die with SIGSEGV (the
     * service guards against that, see RuntimeEnvironment and LongCommandLineTest).
     */
    private static final List<String> BENCH_DEPENDENCIES = List.of("/com/microsoft/onnxruntime/", "/ai/djl/",
            "/com/google/code/gson/", "/net/java/dev/jna/", "/org/apache/commons/commons-compress/",
            "/commons-codec/", "/commons-io/", "/org/slf4j/slf4j-api/");

    private PythonTooling() {
    }

    static String python() {
        String override = System.getenv("NEWS_CLASSIFIER_PYTHON");
        return override == null || override.isBlank() ? "/usr/bin/python3" : override;
    }

    /** Skips (or, when CI requires Python, fails) the calling test if torch/onnx cannot be imported. */
    static void requirePython() {
        String reason = probe();
        if (reason == null) {
            return;
        }
        if ("1".equals(System.getenv("NEWS_CLASSIFIER_REQUIRE_PYTHON"))) {
            fail("NEWS_CLASSIFIER_REQUIRE_PYTHON=1 but the model tooling cannot run: " + reason);
        }
        assumeTrue(false, "skipped: the model tooling needs " + python() + " with torch, onnx and numpy (" + reason
                + "); set NEWS_CLASSIFIER_REQUIRE_PYTHON=1 to make this a failure");
    }

    private static String probe() {
        try {
            Process p = new ProcessBuilder(python(), "-c", "import torch, onnx, numpy")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "import timed out";
            }
            return p.exitValue() == 0 ? null : "import torch, onnx, numpy failed: " + out.strip();
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Runs a tooling script with a timeout; fails the test with the script's output on error. */
    static String run(String script, long timeoutSeconds, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(python(), TOOLING.resolve(script).toString()));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile("model-tooling", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        String out = Files.readString(log);
        Files.deleteIfExists(log);
        if (!done) {
            fail(script + " did not finish in " + timeoutSeconds + " s:\n" + out);
        }
        if (p.exitValue() != 0) {
            fail(script + " exited with " + p.exitValue() + ":\n" + out);
        }
        return out;
    }

    /** The classpath of OrtBench.java, taken from the test classpath's entries. */
    static String benchClasspath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> BENCH_DEPENDENCIES.stream().anyMatch(entry.replace(File.separatorChar, '/')::contains))
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** Copies a classpath resource (e.g. from the langchain4j embedding jar) to target/model-tooling. */
    static Path extractResource(String name) throws IOException {
        Files.createDirectories(WORK);
        Path target = WORK.resolve(name);
        try (InputStream in = PythonTooling.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("resource " + name + " is not on the test classpath");
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }
}
