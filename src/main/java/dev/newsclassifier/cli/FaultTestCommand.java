package dev.newsclassifier.cli;

import dev.newsclassifier.dataset.LabeledArticle;
import dev.newsclassifier.faults.FaultRun;
import dev.newsclassifier.faults.FaultScenario;
import dev.newsclassifier.faults.FaultScenarios;
import dev.newsclassifier.faults.FaultStack;
import dev.newsclassifier.faults.FaultSuite;
import dev.newsclassifier.faults.ScenarioResult;
import dev.newsclassifier.faults.ServiceLauncher;
import dev.newsclassifier.local.ApicurioRegistry;
import dev.newsclassifier.local.RegistryKind;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The fault suite: the packaged service as separate processes against an embedded broker and
 * registry, one scenario after another, and a summary table of what went in and came out.
 */
@Command(name = "fault-test", mixinStandardHelpOptions = true,
        description = {"Run the packaged service as separate processes against an embedded Kafka broker and schema",
                "registry, inject faults (kill -9, broker restart, registry outage, broken models, slow inference,",
                "bad records, articles the model fails on, a soak) and check with read_committed that every article",
                "came out exactly once.",
                "Prints a summary table: scenario, inputs, outputs, lost, duplicated, dead-lettered, result.",
                "Examples:",
                "  ./news-classifier fault-test                      (every scenario but the soak; ~15 minutes)",
                "  ./news-classifier fault-test --quick              (the CI subset, smaller; see --quick)",
                "  ./news-classifier fault-test --scenario soak --soak-minutes 10 --input data.csv.gz",
                "  ./news-classifier fault-test --scenario registry-outage --registry apicurio",
                "Scenarios: ${COMPLETION-CANDIDATES}"})
final class FaultTestCommand implements Callable<Integer> {

    @Option(names = "--scenario", paramLabel = "NAME", split = ",",
            completionCandidates = FaultScenarios.Names.class,
            description = "Scenarios to run, comma-separated (default: all but soak)")
    List<String> scenarios = new ArrayList<>();

    @Option(names = "--quick", description = "The CI subset at a small scale: kill-9, bad-input, poison-article, "
            + "model-problems, registry-down-at-start-up")
    boolean quick;

    @Option(names = "--articles", paramLabel = "N", description = "Articles per streaming scenario "
            + "(default: 3000, or 600 with --quick)")
    Integer articles;

    @Option(names = "--rate", paramLabel = "PER_SECOND", defaultValue = "40",
            description = "Publishing rate of streaming scenarios, below what the service sustains "
                    + "(default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--soak-minutes", paramLabel = "MINUTES", defaultValue = "10",
            description = "Length of the soak (default: ${DEFAULT-VALUE})")
    int soakMinutes;

    @Option(names = "--input", paramLabel = "FILE",
            description = "Texts to publish: AG News CSV or JSON Lines (default: the built-in sample articles)")
    Path input;

    @Option(names = "--report", paramLabel = "DIR", description = "Where logs and summary.json go "
            + "(default: target/reports/fault-test)")
    Path reportDir;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the random kill moments")
    long seed;

    @Option(names = "--restart-limit", paramLabel = "SECONDS", defaultValue = "10",
            description = "kill-9 scenarios: the longest a restart may take to be ready and to bring new output on "
                    + "every partition (default: ${DEFAULT-VALUE})")
    int restartLimitSeconds;

    @Option(names = "--registry", paramLabel = "KIND", defaultValue = "built-in",
            converter = RegistryKindConverter.class,
            description = "Schema registry the service uses: built-in (default), or apicurio: Apicurio Registry as a "
                    + "child process (Java 21+ and the copy the build unpacks into target/apicurio-registry)")
    RegistryKind registry;

    @Override
    public Integer call() throws Exception {
        Optional<String> unavailable = registry == RegistryKind.APICURIO ? ApicurioRegistry.unavailableReason()
                : Optional.empty();
        if (unavailable.isPresent()) {
            System.err.println("Cannot run with --registry " + registry + ": " + unavailable.get());
            return 2;
        }
        ToolSupport.quietLibraries();
        int count = articles != null ? articles : quick ? 600 : 3000;
        Path modelDir = ToolSupport.defaultModelDir().toAbsolutePath();
        List<LabeledArticle> texts = SampleArticles.read(Optional.ofNullable(input).map(Path::toString),
                ToolSupport.labels(modelDir), true);
        List<FaultScenario> selected = FaultScenarios.select(scenarios, quick, soakMinutes,
                Duration.ofSeconds(restartLimitSeconds));
        Path dir = reportDir != null ? reportDir : ToolSupport.defaultReportDir("fault-test");
        Files.createDirectories(dir);
        PrintWriter out = new PrintWriter(System.out, true);
        System.out.printf("Fault suite: %s; %d articles per scenario at %.0f/s; logs in %s%n",
                selected.stream().map(FaultScenario::name).toList(), count, rate, dir);
        try (FaultStack stack = FaultStack.start(registry)) {
            System.out.printf("Kafka %s, %s %s%n", stack.bootstrapServers(), stack.registry().description(),
                    stack.registryUrl());
            FaultRun run = new FaultRun(stack, ServiceLauncher.ofThisApplication(ServiceLauncher.CPU_IMAGE_JVM_OPTIONS), dir, modelDir, texts,
                    count, rate, new Random(seed), System.out);
            List<ScenarioResult> results = FaultSuite.run(run, selected);
            FaultSuite.printSummary(results, out);
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("articles", count);
            settings.put("rate", rate);
            settings.put("input", input == null ? "built-in sample articles" : input.toString());
            settings.put("seed", seed);
            settings.put("registry", stack.registry().description());
            System.out.println("Report: " + FaultSuite.writeReport(results, dir, settings));
            return FaultSuite.allPassed(results) ? 0 : 1;
        }
    }
}
