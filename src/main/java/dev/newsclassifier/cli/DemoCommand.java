package dev.newsclassifier.cli;

import dev.newsclassifier.local.LocalKafkaStack;
import dev.newsclassifier.local.LocalTopics;
import io.quarkus.runtime.Quarkus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Starts an embedded Kafka broker and schema registry on loopback, runs the service against
 * them, publishes sample articles, prints every labeled result and a summary, then stops
 * everything. Needs nothing but a JDK.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the whole pipeline on this machine: embedded Kafka and schema registry, the service,",
                "and a sample of news articles; prints each labeled result and a summary, then stops.",
                "Examples:",
                "  ./news-classifier demo",
                "  ./news-classifier demo --input my-articles.jsonl",
                "  ./news-classifier demo --input ag_news_test.csv --limit 500",
                "  ./news-classifier demo --keep-running    (then publish, consume, replay, evaluate from another terminal)"})
final class DemoCommand implements Callable<Integer> {

    static final String INPUT_PROPERTY = "news.demo.input";
    static final String LIMIT_PROPERTY = "news.demo.limit";
    static final String TIMEOUT_PROPERTY = "news.demo.timeout-seconds";
    static final String KEEP_RUNNING_PROPERTY = "news.demo.keep-running";

    @Option(names = "--input", paramLabel = "FILE",
            description = "AG News CSV (either layout) or JSON Lines file; default: 40 built-in sample articles")
    Path input;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "0",
            description = "Publish at most N articles of the input (0: all)")
    int limit;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "180",
            description = "Give up waiting for results after this long (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Option(names = "--keep-running",
            description = "After the sample, keep the broker, registry and service running until Ctrl-C, "
                    + "for the other tools (publish, consume, replay, evaluate) to use from another terminal")
    boolean keepRunning;

    @Override
    public Integer call() throws IOException {
        if (input != null && !Files.isReadable(input)) {
            System.err.println("Cannot read input file " + input);
            return 2;
        }
        Path stateDir = Files.createTempDirectory("news-classifier-demo-");
        System.out.println("Starting an embedded Kafka broker and schema registry on 127.0.0.1 ...");
        try (LocalKafkaStack stack = LocalKafkaStack.start()) {
            System.out.printf("  Kafka %s, schema registry %s%n", stack.bootstrapServers(), stack.registryUrl());
            System.setProperty("kafka.bootstrap.servers", stack.bootstrapServers());
            System.setProperty("news.registry.url", stack.registryUrl());
            System.setProperty("news.topics.raw", LocalTopics.RAW);
            System.setProperty("news.topics.labeled", LocalTopics.LABELED);
            System.setProperty("news.topics.dead-letter", LocalTopics.DEAD_LETTER);
            System.setProperty("kafka-streams.state.dir", stateDir.toString());
            // The demo owns the terminal: the service's own logs drop to warnings, and its HTTP
            // port is picked at random so a service already running here is not disturbed.
            System.setProperty("quarkus.log.level", "WARN");
            System.setProperty("quarkus.http.port", "0");
            if (input != null) {
                System.setProperty(INPUT_PROPERTY, input.toAbsolutePath().toString());
            }
            System.setProperty(LIMIT_PROPERTY, Integer.toString(limit));
            System.setProperty(TIMEOUT_PROPERTY, Integer.toString(timeoutSeconds));
            System.setProperty(KEEP_RUNNING_PROPERTY, Boolean.toString(keepRunning));
            int[] exitCode = {0};
            Quarkus.run(DemoApplication.class, (code, failure) -> {
                if (failure != null) {
                    System.err.println("The service failed: " + failure.getMessage());
                }
                exitCode[0] = failure == null ? code : 1;
            });
            return exitCode[0];
        } finally {
            deleteTree(stateDir);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
