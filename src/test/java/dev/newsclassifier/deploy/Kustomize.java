package dev.newsclassifier.deploy;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Renders a kustomization with a real kustomize: the standalone {@code kustomize} binary, or {@code kubectl
 * kustomize} (kubectl 1.27 or later embeds kustomize v5, which k8s/ is written for).
 */
final class Kustomize {

    private static final long TIMEOUT_SECONDS = 60;

    private final List<String> command;

    private Kustomize(List<String> command) {
        this.command = command;
    }

    /** The first renderer found on the PATH, if any. */
    static Optional<Kustomize> find() {
        Optional<Path> kustomize = onPath("kustomize");
        if (kustomize.isPresent()) {
            return Optional.of(new Kustomize(List.of(kustomize.get().toString(), "build")));
        }
        return onPath("kubectl").map(kubectl -> new Kustomize(List.of(kubectl.toString(), "kustomize")));
    }

    String render(Path kustomization) {
        List<String> arguments = new ArrayList<>(command);
        arguments.add(kustomization.toString());
        try {
            Path output = Files.createTempFile("kustomize", ".yaml");
            Path errors = Files.createTempFile("kustomize", ".err");
            try {
                Process process = new ProcessBuilder(arguments).redirectOutput(output.toFile())
                        .redirectError(errors.toFile()).start();
                if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", arguments) + " took over " + TIMEOUT_SECONDS + " s");
                }
                if (process.exitValue() != 0) {
                    throw new IllegalStateException(String.join(" ", arguments) + " failed: " + Files.readString(errors));
                }
                return Files.readString(output);
            } finally {
                Files.delete(output);
                Files.delete(errors);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return String.join(" ", command);
    }

    private static Optional<Path> onPath(String executable) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String directory : path.split(File.pathSeparator)) {
            Path candidate = Path.of(directory, executable);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
