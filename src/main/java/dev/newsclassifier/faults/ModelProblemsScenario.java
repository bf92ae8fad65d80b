package dev.newsclassifier.faults;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A broken model folder: the model file missing, corrupt, with the wrong inputs and outputs, or
 * with a label count that differs from {@code config.json}. Start-up must fail with a message that
 * names the path and the problem, and readiness must never come up.
 */
public final class ModelProblemsScenario implements FaultScenario {

    private static final String NAME = "model-problems";
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(90);

    /** A way to break a copy of the model folder, and words the start-up failure must contain. */
    private record Breakage(String name, String expected, Breaker breaker) {
    }

    @FunctionalInterface
    private interface Breaker {
        void breakIn(Path modelDir) throws IOException;
    }

    private static final List<Breakage> BREAKAGES = List.of(
            new Breakage("missing model file", "file not found",
                    dir -> Files.delete(dir.resolve("model.onnx"))),
            new Breakage("corrupt model file", "not a loadable ONNX model",
                    dir -> Files.write(dir.resolve("model.onnx"), "not a model".getBytes())),
            new Breakage("wrong inputs and outputs", "model has no",
                    dir -> Files.write(dir.resolve("model.onnx"), WrongModel.identity())),
            new Breakage("label count differs from config.json", "labels",
                    ModelProblemsScenario::dropALabel));

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "start with a missing, corrupt, wrong-signature or wrong-label-count model: one clear message, never ready";
    }

    @Override
    public ScenarioResult run(FaultRun run) throws IOException {
        List<String> details = FaultRun.details();
        FaultStack.RunTopics topics = run.stack().createTopics(NAME, 1);
        boolean allPassed = true;
        for (int i = 0; i < BREAKAGES.size(); i++) {
            Breakage breakage = BREAKAGES.get(i);
            Path modelDir = run.workDir().resolve(NAME + "-" + (i + 1) + "-model");
            copyModel(run.modelDir(), modelDir);
            breakage.breaker().breakIn(modelDir);
            Map<String, String> settings = run.serviceSettings(NAME + "-" + (i + 1), topics);
            settings.put("news.model.dir", modelDir.toAbsolutePath().toString());
            try (ServiceProcess service = run.instance(NAME + "-" + (i + 1), settings).start()) {
                boolean everReady = false;
                long deadline = System.nanoTime() + EXIT_TIMEOUT.toNanos();
                while (service.isAlive() && System.nanoTime() < deadline) {
                    everReady |= service.isReady();
                    ServiceProcess.sleep(200);
                }
                boolean exited = !service.isAlive() && service.exitCode() != 0;
                String message = failureLine(service.logText(), modelDir);
                boolean clear = message.contains(modelDir.toString()) && message.contains(breakage.expected());
                boolean passed = exited && !everReady && clear;
                allPassed &= passed;
                run.say(details, "%s: %s, %s; message: %s", breakage.name(),
                        exited ? "start-up failed (exit " + service.exitCode() + ")" : "DID NOT FAIL",
                        everReady ? "was READY (wrong)" : "never ready", message.isEmpty() ? "NONE naming the path"
                                : message);
            }
        }
        return new ScenarioResult(NAME, 0, 0, 0, 0, 0, allPassed, details);
    }

    /** The first log line naming the model folder: the service's one message about it. */
    private static String failureLine(String log, Path modelDir) {
        for (String line : log.split("\n")) {
            if (line.contains(modelDir.toString())) {
                return line.substring(Math.max(0, line.indexOf("Cannot load model"))).trim();
            }
        }
        return "";
    }

    private static void copyModel(Path from, Path to) {
        try {
            Files.createDirectories(to);
            try (var files = Files.list(from)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    Files.copy(file, to.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the model folder " + from, e);
        }
    }

    /** Removes the last label from {@code config.json}, keeping the file consistent in itself. */
    private static void dropALabel(Path dir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Path config = dir.resolve("config.json");
        ObjectNode root = (ObjectNode) json.readTree(config.toFile());
        int last = root.get("num_labels").asInt() - 1;
        ObjectNode idToLabel = (ObjectNode) root.get("id2label");
        String label = idToLabel.get(Integer.toString(last)).asText();
        idToLabel.remove(Integer.toString(last));
        ((ObjectNode) root.get("label2id")).remove(label);
        root.put("num_labels", last);
        json.writerWithDefaultPrettyPrinter().writeValue(config.toFile(), root);
    }
}
