package dev.newsclassifier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The packaged application's {@code demo --keep-running}, used as the guide says: the tools,
 * run from elsewhere, replay and evaluate against the stack it keeps up; SIGTERM stops it.
 */
class DemoKeepRunningIT {

    private static final Path APP = Path.of("target", "quarkus-app", "quarkus-run.jar");
    private static final Pattern BOOTSTRAP = Pattern.compile("bootstrap servers +(\\S+)");
    private static final Pattern REGISTRY = Pattern.compile("schema registry +(http\\S+)");

    @Test
    void shouldKeepTheStackUpForTheToolsUntilStopped() throws Exception {
        Path log = Files.createTempFile("demo-keep-running-", ".log");
        Process demo = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dnews.model.dir=onnx/models/default", "-jar", APP.toString(), "demo", "--keep-running"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            String output = awaitOutput(log, "press Ctrl-C to stop them", 300);
            Matcher bootstrap = BOOTSTRAP.matcher(output);
            Matcher registry = REGISTRY.matcher(output);
            assertThat(bootstrap.find()).as("bootstrap servers printed:%n%s", output).isTrue();
            assertThat(registry.find()).as("registry URL printed:%n%s", output).isTrue();
            assertThat(output).contains("./news-classifier consume --bootstrap-servers " + bootstrap.group(1));

            Path file = ToolTestData.agNewsCsv(Files.createTempDirectory("keep-running-").resolve("more.csv"), 12, 0);
            String[] connect = {"--bootstrap-servers", bootstrap.group(1), "--registry-url", registry.group(1)};
            String replay = run("replay", "--file", file.toString(), "--run-id", "keep-running-1", connect[0], connect[1],
                    connect[2], connect[3]);
            String evaluate = run("evaluate", "--run-id", "keep-running-1", "--expected", "12", "--timeout", "120",
                    "--report-dir", file.resolveSibling("report").toString(), connect[0], connect[1], connect[2], connect[3]);

            assertThat(replay).contains("Published 12 article(s)");
            assertThat(evaluate).containsPattern("accuracy +\\d\\.\\d{4} \\(\\d+ of 12\\)");
        } finally {
            demo.destroy();
            boolean stopped = demo.waitFor(60, TimeUnit.SECONDS);
            if (!stopped) {
                demo.destroyForcibly();
            }
            assertThat(stopped).as("demo stops on SIGTERM").isTrue();
        }
    }

    private static String run(String... args) {
        StringWriter out = new StringWriter();
        CommandLine line = new CommandLine(new NewsClassifierMain());
        line.setOut(new PrintWriter(out));
        line.setErr(new PrintWriter(out));
        int exit = line.execute(args);
        assertThat(exit).as("%s exit; output:%n%s", args[0], out).isZero();
        return out.toString();
    }

    private static String awaitOutput(Path log, String marker, int seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String output = "";
        while (System.nanoTime() < deadline) {
            output = Files.readString(log, StandardCharsets.UTF_8);
            if (output.contains(marker)) {
                return output;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no '" + marker + "' within " + seconds + " s; output:\n" + output);
    }
}
