package dev.newsclassifier.faults;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.newsclassifier.evaluation.TextTable;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs scenarios one after another on one stack, each on its own topics and consumer group, and
 * prints the summary table: scenario, inputs, outputs, lost, duplicated, dead-lettered, result.
 * A scenario that throws is a failed row, not the end of the suite.
 */
public final class FaultSuite {

    private FaultSuite() {
    }

    public static List<ScenarioResult> run(FaultRun run, List<FaultScenario> scenarios) {
        List<ScenarioResult> results = new ArrayList<>();
        for (FaultScenario scenario : scenarios) {
            run.out().printf("%n== %s: %s%n", scenario.name(), scenario.description());
            long started = System.nanoTime();
            ScenarioResult result;
            try {
                result = scenario.run(run);
            } catch (Exception | AssertionError e) {
                List<String> details = new ArrayList<>();
                details.add("failed: " + e);
                run.out().println("    failed: " + e.getMessage());
                result = new ScenarioResult(scenario.name(), 0, 0, 0, 0, 0, false, details);
            }
            run.out().printf("    %s in %.0f s%n", result.passed() ? "PASS" : "FAIL", (System.nanoTime() - started) / 1e9);
            results.add(result);
        }
        return results;
    }

    /** The summary table, as the README shows it. */
    public static void printSummary(List<ScenarioResult> results, PrintWriter out) {
        TextTable table = new TextTable("scenario", "inputs>", "outputs>", "lost>", "duplicated>", "dead-lettered>",
                "result");
        for (ScenarioResult result : results) {
            table.row(result.scenario(), result.inputs(), result.outputs(), result.lost(), result.duplicated(),
                    result.deadLettered(), result.passed() ? "PASS" : "FAIL");
        }
        out.println();
        out.println("Summary");
        table.print(out, "  ");
        out.flush();
    }

    /** {@code summary.json} in the report folder: every row with its details, for CI and the README. */
    public static Path writeReport(List<ScenarioResult> results, Path dir, Map<String, Object> settings)
            throws IOException {
        Files.createDirectories(dir);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("finished", Instant.now().toString());
        report.put("settings", settings);
        report.put("scenarios", results);
        Path file = dir.resolve("summary.json");
        Files.writeString(file, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(report), StandardCharsets.UTF_8);
        return file;
    }

    public static boolean allPassed(List<ScenarioResult> results) {
        return !results.isEmpty() && results.stream().allMatch(ScenarioResult::passed);
    }
}
