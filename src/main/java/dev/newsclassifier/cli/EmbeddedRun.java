package dev.newsclassifier.cli;

import dev.newsclassifier.local.ApicurioRegistry;
import dev.newsclassifier.local.LocalKafkaStack;
import dev.newsclassifier.local.LocalTopics;
import dev.newsclassifier.local.RegistryKind;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
            return runService(application, settings, stateDir);
        } finally {
            deleteTree(stateDir);
        }
    }

    /**
     * The same run against a broker and registry that are already running elsewhere (another process, another
     * machine), so that their CPU is not the service's: fresh raw, labeled and dead-letter topics named after the run,
     * which nothing else reads or writes.
     */
    static int runAgainst(String name, Class<? extends QuarkusApplication> application, Map<String, String> settings,
            String bootstrapServers, String registryUrl) throws IOException {
        Path stateDir = Files.createTempDirectory("news-classifier-" + name + "-");
        String prefix = name + "-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        List<LocalTopics.Topic> topics = LocalTopics.defaults().stream().map(topic -> new LocalTopics.Topic(
                prefix + topic.name(), topic.partitions(), topic.compacted(), topic.maxMessageBytes())).toList();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            admin.createTopics(topics.stream().map(LocalTopics.Topic::toNewTopic).toList()).all()
                    .get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            System.err.println("Cannot create the run's topics on " + bootstrapServers + ": " + causes(e));
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        System.out.printf("Kafka %s, schema registry %s (already running); topics %s*%n", bootstrapServers, registryUrl,
                prefix);
        try {
            System.setProperty("kafka.bootstrap.servers", bootstrapServers);
            System.setProperty("news.registry.url", registryUrl);
            System.setProperty("news.topics.raw", topics.get(0).name());
            System.setProperty("news.topics.labeled", topics.get(1).name());
            System.setProperty("news.topics.dead-letter", topics.get(2).name());
            // A consumer group of its own: a service already running on that broker must not share its partitions.
            System.setProperty("quarkus.kafka-streams.application-id", prefix + "service");
            return runService(application, settings, stateDir);
        } finally {
            deleteTree(stateDir);
        }
    }

    private static int runService(Class<? extends QuarkusApplication> application, Map<String, String> settings,
            Path stateDir) {
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
