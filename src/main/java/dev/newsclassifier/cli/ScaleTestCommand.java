package dev.newsclassifier.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.newsclassifier.dataset.LabeledArticle;
import dev.newsclassifier.faults.FaultRun;
import dev.newsclassifier.faults.FaultStack;
import dev.newsclassifier.faults.ScaleOutRun;
import dev.newsclassifier.faults.ServiceLauncher;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Scale-out on this machine: 1, 2 and 3 service processes on a 6-partition topic, then a join and a leave. */
@Command(name = "scale-test", mixinStandardHelpOptions = true,
        description = {"Run 1, then 2, then 3 instances of the packaged service (separate processes, one consumer",
                "group) against an embedded broker with a 6-partition raw topic; report each instance's partitions,",
                "the throughput of each step, and that every article came out exactly once, also when an",
                "instance joins or leaves mid-run. All instances share this machine's cores.",
                "Example:",
                "  ./news-classifier scale-test --articles 1500 --input ../shared/data/ag_news/test_part.csv.gz"})
final class ScaleTestCommand implements Callable<Integer> {

    @Option(names = "--articles", paramLabel = "N", defaultValue = "1500",
            description = "Articles per step (default: ${DEFAULT-VALUE})")
    int articles;

    @Option(names = "--rate", paramLabel = "PER_SECOND", defaultValue = "30",
            description = "Publishing rate of the join-and-leave step (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--max-instances", paramLabel = "N", defaultValue = "3",
            description = "Largest step (default: ${DEFAULT-VALUE}; at most 6, the partition count)")
    int maxInstances;

    @Option(names = "--intra-op-threads", paramLabel = "N",
            description = "news.inference.intra-op-threads of every instance (default: the service's own)")
    Integer intraOpThreads;

    @Option(names = "--input", paramLabel = "FILE",
            description = "Texts to publish: AG News CSV or JSON Lines (default: the built-in sample articles)")
    Path input;

    @Option(names = "--report", paramLabel = "DIR", description = "Where logs and scale-out.json go "
            + "(default: target/reports/scale-test)")
    Path reportDir;

    @Override
    public Integer call() throws Exception {
        ToolSupport.quietLibraries();
        if (maxInstances < 1 || maxInstances > 6) {
            System.err.println("--max-instances must be between 1 and 6");
            return 2;
        }
        Path modelDir = ToolSupport.defaultModelDir().toAbsolutePath();
        List<LabeledArticle> texts = SampleArticles.read(Optional.ofNullable(input).map(Path::toString),
                ToolSupport.labels(modelDir), true);
        Path dir = reportDir != null ? reportDir : ToolSupport.defaultReportDir("scale-test");
        Files.createDirectories(dir);
        Map<String, String> extra = new LinkedHashMap<>();
        if (intraOpThreads != null) {
            extra.put("news.inference.intra-op-threads", intraOpThreads.toString());
        }
        System.out.printf("Scale-out: 1..%d instances, %d articles per step, %d cores here; logs in %s%n",
                maxInstances, articles, Runtime.getRuntime().availableProcessors(), dir);
        try (FaultStack stack = FaultStack.start()) {
            FaultRun run = new FaultRun(stack, ServiceLauncher.ofThisApplication(ServiceLauncher.CPU_IMAGE_JVM_OPTIONS), dir, modelDir, texts,
                    articles, rate, new Random(42), System.out);
            ScaleOutRun scaleOut = new ScaleOutRun(run, extra);
            List<ScaleOutRun.Step> steps = new ArrayList<>();
            for (int instances = 1; instances <= maxInstances; instances++) {
                steps.add(scaleOut.drain(instances));
            }
            System.out.println("  join and leave under load:");
            steps.add(scaleOut.joinAndLeave());
            ScaleOutRun.printSummary(steps, new PrintWriter(System.out, true));
            Path report = dir.resolve("scale-out.json");
            Files.writeString(report, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(steps), StandardCharsets.UTF_8);
            System.out.println("Report: " + report);
            boolean exactlyOnce = steps.stream().allMatch(step -> step.lost() == 0 && step.duplicated() == 0);
            return exactlyOnce ? 0 : 1;
        }
    }
}
