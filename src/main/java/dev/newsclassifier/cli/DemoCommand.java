package dev.newsclassifier.cli;

import dev.newsclassifier.local.RegistryKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
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
                "  ./news-classifier demo --keep-running    (then publish, consume, replay, evaluate from another terminal)",
                "  ./news-classifier demo --registry apicurio    (Apicurio Registry instead of the built-in one)"})
final class DemoCommand implements Callable<Integer> {

    static final String INPUT_PROPERTY = "cli.demo.input";
    static final String LIMIT_PROPERTY = "cli.demo.limit";
    static final String TIMEOUT_PROPERTY = "cli.demo.timeout-seconds";
    static final String KEEP_RUNNING_PROPERTY = "cli.demo.keep-running";

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

    @Option(names = "--registry", paramLabel = "KIND", defaultValue = "built-in",
            converter = RegistryKindConverter.class,
            description = "Schema registry to run: built-in (default), or apicurio: Apicurio Registry as a child "
                    + "process, from the copy the build unpacks into target/apicurio-registry, on a Java 21+")
    RegistryKind registry;

    @Override
    public Integer call() throws IOException {
        if (input != null && !Files.isReadable(input)) {
            System.err.println("Cannot read input file " + input);
            return 2;
        }
        Map<String, String> settings = new HashMap<>();
        if (input != null) {
            settings.put(INPUT_PROPERTY, input.toAbsolutePath().toString());
        }
        settings.put(LIMIT_PROPERTY, Integer.toString(limit));
        settings.put(TIMEOUT_PROPERTY, Integer.toString(timeoutSeconds));
        settings.put(KEEP_RUNNING_PROPERTY, Boolean.toString(keepRunning));
        return EmbeddedRun.run("demo", DemoApplication.class, settings, registry);
    }
}
