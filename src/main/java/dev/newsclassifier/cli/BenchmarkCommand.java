package dev.newsclassifier.cli;

import dev.newsclassifier.local.LocalKafkaStack;
import dev.newsclassifier.local.LocalTopics;
import io.quarkus.runtime.Quarkus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Measures what streaming costs: model-only throughput on a set of texts, then the rate at
 * which the service drains the same texts from Kafka (published beforehand), then end-to-end
 * latency while articles arrive at a steady rate below that maximum. All in one run, on the
 * embedded broker and registry, with the service's own batch settings.
 */
@Command(name = "benchmark", mixinStandardHelpOptions = true,
        description = {"Compare model-only throughput with end-to-end throughput through Kafka on the same texts,",
                "and measure end-to-end latency at a steady rate. Runs on an embedded broker and registry.",
                "Examples:",
                "  ./news-classifier benchmark --input ../shared/data/ag_news/test_part.csv.gz --count 4000",
                "  ./news-classifier benchmark --json target/benchmark.json"})
final class BenchmarkCommand implements Callable<Integer> {

    static final String PREFIX = "news.benchmark.";

    @Option(names = "--input", paramLabel = "FILE",
            description = "AG News CSV (either layout, .gz allowed) or JSON Lines; default: the built-in sample, cycled")
    Path input;

    @Option(names = "--count", paramLabel = "N", defaultValue = "3000",
            description = "Articles for the throughput phases (default: ${DEFAULT-VALUE})")
    int count;

    @Option(names = "--paced-seconds", paramLabel = "S", defaultValue = "20",
            description = "Length of the steady-rate latency phase (default: ${DEFAULT-VALUE})")
    int pacedSeconds;

    @Option(names = "--paced-fraction", paramLabel = "F", defaultValue = "0.8",
            description = "Steady rate as a fraction of the measured end-to-end maximum (default: ${DEFAULT-VALUE})")
    double pacedFraction;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON to FILE")
    Path json;

    @Override
    public Integer call() throws IOException {
        Path stateDir = Files.createTempDirectory("news-classifier-benchmark-");
        System.out.println("Starting an embedded Kafka broker and schema registry on 127.0.0.1 ...");
        try (LocalKafkaStack stack = LocalKafkaStack.start()) {
            System.setProperty("kafka.bootstrap.servers", stack.bootstrapServers());
            System.setProperty("news.registry.url", stack.registryUrl());
            System.setProperty("news.topics.raw", LocalTopics.RAW);
            System.setProperty("news.topics.labeled", LocalTopics.LABELED);
            System.setProperty("news.topics.dead-letter", LocalTopics.DEAD_LETTER);
            System.setProperty("kafka-streams.state.dir", stateDir.toString());
            System.setProperty("quarkus.log.level", "WARN");
            System.setProperty("quarkus.http.port", "0");
            if (input != null) {
                System.setProperty(PREFIX + "input", input.toAbsolutePath().toString());
            }
            System.setProperty(PREFIX + "count", Integer.toString(count));
            System.setProperty(PREFIX + "paced-seconds", Integer.toString(pacedSeconds));
            System.setProperty(PREFIX + "paced-fraction", Double.toString(pacedFraction));
            if (json != null) {
                System.setProperty(PREFIX + "json", json.toAbsolutePath().toString());
            }
            int[] exitCode = {0};
            Quarkus.run(BenchmarkApplication.class, (code, failure) -> {
                if (failure != null) {
                    System.err.println("The benchmark failed: " + failure.getMessage());
                }
                exitCode[0] = failure == null ? code : 1;
            });
            return exitCode[0];
        } finally {
            try (var paths = Files.walk(stateDir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }
}
