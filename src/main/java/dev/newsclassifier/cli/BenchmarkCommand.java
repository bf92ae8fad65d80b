package dev.newsclassifier.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Measures what streaming costs, in one run on the embedded broker and registry with the service's own settings: the
 * rate at which the just-started service drains a backlog (cold), model-only throughput on the same texts, the drain
 * again (warm), then end-to-end latency, as classified and as a read_committed reader sees it, while articles arrive
 * at a steady fraction of the warm drain rate.
 */
@Command(name = "benchmark", mixinStandardHelpOptions = true,
        description = {"Compare model-only throughput with the drain rate through Kafka on the same texts, right after",
                "start-up (cold) and again (warm), and measure end-to-end latency at a steady rate. Runs on an",
                "embedded broker and registry.",
                "Examples:",
                "  ./news-classifier benchmark --input ../shared/data/ag_news/test_part.csv.gz --count 4000",
                "  ./news-classifier benchmark --json target/benchmark.json",
                "  ./news-classifier benchmark --warm-up 0      (a start without the start-up warm-up)",
                "  ./news-classifier benchmark --model constant (the pipeline's ceiling, no model)",
                "  ./news-classifier benchmark --bootstrap-servers 127.0.0.1:9092 --registry-url http://127.0.0.1:8081",
                "                                               (the broker in its own process, e.g. demo --keep-running)"})
final class BenchmarkCommand implements Callable<Integer> {

    static final String PREFIX = "cli.benchmark.";

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

    @Option(names = "--model", paramLabel = "KIND", defaultValue = "served",
            description = "served: the model in news.model.dir; constant: no model runs, every article gets the first "
                    + "label, which measures the pipeline's own ceiling (default: ${DEFAULT-VALUE})")
    ModelKind model;

    /** Which classifier the benchmarked service runs. */
    enum ModelKind { served, constant }

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
            description = "Run against this broker instead of an embedded one (with --registry-url), so that the "
                    + "broker's CPU is not the service's; e.g. the one `demo --keep-running` prints")
    String bootstrapServers;

    @Option(names = "--registry-url", paramLabel = "URL",
            description = "The schema registry that goes with --bootstrap-servers")
    String registryUrl;

    @Option(names = "--warm-up", paramLabel = "N",
            description = "Sample articles the service classifies before it joins the group (news.warm-up.articles; "
                    + "default: the service's setting, 0 is off)")
    Integer warmUp;

    @Override
    public Integer call() throws IOException {
        Map<String, String> settings = new HashMap<>();
        if (input != null) {
            settings.put(PREFIX + "input", input.toAbsolutePath().toString());
        }
        settings.put(PREFIX + "count", Integer.toString(count));
        settings.put(PREFIX + "paced-seconds", Integer.toString(pacedSeconds));
        settings.put(PREFIX + "paced-fraction", Double.toString(pacedFraction));
        if (json != null) {
            settings.put(PREFIX + "json", json.toAbsolutePath().toString());
        }
        if (model == ModelKind.constant) {
            settings.put("news.inference.constant-model", "true");
        }
        if (warmUp != null) {
            settings.put("news.warm-up.articles", Integer.toString(warmUp));
        }
        if ((bootstrapServers == null) != (registryUrl == null)) {
            System.err.println("--bootstrap-servers and --registry-url go together");
            return 2;
        }
        return bootstrapServers == null ? EmbeddedRun.run("benchmark", BenchmarkApplication.class, settings)
                : EmbeddedRun.runAgainst("benchmark", BenchmarkApplication.class, settings, bootstrapServers,
                        registryUrl);
    }
}
