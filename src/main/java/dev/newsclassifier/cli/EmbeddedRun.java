package dev.newsclassifier.cli;

import dev.newsclassifier.local.ApicurioRegistry;
import dev.newsclassifier.local.LocalKafkaStack;
import dev.newsclassifier.local.LocalTopics;
import dev.newsclassifier.local.RegistryKind;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Runs the service against an embedded broker and schema registry on loopback, with a
 * {@link QuarkusApplication} driving it once it is up: what {@code demo} and {@code benchmark}
 * share. Everything it starts is stopped when the application returns.
 */
final class EmbeddedRun {

    private EmbeddedRun() {
    }

    /** A run with the built-in schema registry. */
    static int run(String name, Class<? extends QuarkusApplication> application, Map<String, String> settings)
            throws IOException {
        return run(name, application, settings, RegistryKind.BUILT_IN);
    }

    /**
     * @param settings extra configuration for the run, as system properties
     * @param registry the schema registry to start beside the broker
     * @return the application's exit code, 1 if the service failed, 2 if the registry cannot run here
     */
    static int run(String name, Class<? extends QuarkusApplication> application, Map<String, String> settings,
            RegistryKind registry) throws IOException {
        boolean builtIn = registry == RegistryKind.BUILT_IN;
        Optional<String> unavailable = builtIn ? Optional.empty() : ApicurioRegistry.unavailableReason();
        if (unavailable.isPresent()) {
            System.err.println("Cannot run with --registry " + registry + ": " + unavailable.get());
            return 2;
        }
        Path stateDir = Files.createTempDirectory("news-classifier-" + name + "-");
        System.out.println("Starting an embedded Kafka broker and " + (builtIn ? "schema registry" : "Apicurio Registry")
                + " on 127.0.0.1 ...");
        try (LocalKafkaStack stack = LocalKafkaStack.builder().registry(registry).start()) {
            System.out.printf("  Kafka %s, %s %s%n", stack.bootstrapServers(),
                    builtIn ? "schema registry" : stack.registry().description(), stack.registryUrl());
            System.setProperty("kafka.bootstrap.servers", stack.bootstrapServers());
            System.setProperty("news.registry.url", stack.registryUrl());
            System.setProperty("news.topics.raw", LocalTopics.RAW);
            System.setProperty("news.topics.labeled", LocalTopics.LABELED);
            System.setProperty("news.topics.dead-letter", LocalTopics.DEAD_LETTER);
            System.setProperty("kafka-streams.state.dir", stateDir.toString());
            // The command owns the terminal: the service's own logs drop to warnings, and its HTTP
            // port is picked at random so a service already running here is not disturbed.
            System.setProperty("quarkus.log.level", "WARN");
            System.setProperty("quarkus.http.port", "0");
            settings.forEach(System::setProperty);
            int[] exitCode = {0};
            Quarkus.run(application, (code, failure) -> {
                if (failure != null) {
                    System.err.println("The service failed: " + causes(failure));
                }
                exitCode[0] = failure == null ? code : 1;
            });
            return exitCode[0];
        } finally {
            deleteTree(stateDir);
        }
    }

    /** The chain of causes in one line: the innermost usually says what to fix (e.g. a model path). */
    static String causes(Throwable failure) {
        StringBuilder line = new StringBuilder(String.valueOf(failure.getMessage()));
        for (Throwable cause = failure.getCause(); cause != null; cause = cause.getCause()) {
            line.append("\n  caused by: ").append(cause.getClass().getSimpleName()).append(": ").append(cause.getMessage());
        }
        return line.toString();
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
