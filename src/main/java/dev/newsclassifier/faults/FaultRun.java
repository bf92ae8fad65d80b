package dev.newsclassifier.faults;

import dev.newsclassifier.dataset.LabeledArticle;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What every scenario of one suite run shares: the stack, how to launch the service, the texts to
 * publish, the scale of the run, where logs go and where progress is printed.
 *
 * @param articles  articles per scenario (a kill scenario's load; smaller scenarios take a fraction)
 * @param rate      articles per second the load is published at, below what the service sustains
 * @param modelDir  the model every instance loads
 */
public record FaultRun(FaultStack stack, ServiceLauncher launcher, Path workDir, Path modelDir,
        List<LabeledArticle> texts, int articles, double rate, Random random, PrintStream out) {

    /** Waits for a process to be ready after a (re)start; loading the model and joining the group take a while. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    /** How long results must stop arriving before a run is judged complete: long enough for a late duplicate. */
    static final Duration QUIET = Duration.ofSeconds(5);

    /** The settings every instance of a scenario gets: its own topics, consumer group and model. */
    public Map<String, String> serviceSettings(String applicationId, FaultStack.RunTopics topics) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("kafka.bootstrap.servers", stack.bootstrapServers());
        settings.put("news.registry.url", stack.registryUrl());
        settings.put("news.topics.raw", topics.raw());
        settings.put("news.topics.labeled", topics.labeled());
        settings.put("news.topics.dead-letter", topics.deadLetter());
        settings.put("quarkus.kafka-streams.application-id", applicationId);
        settings.put("news.model.dir", modelDir.toAbsolutePath().toString());
        // A killed instance's partitions wait for its session to expire before anyone takes them over;
        // 10 s (the broker's minimum is 6 s) keeps each kill's stall short without false expiries.
        settings.put("kafka-streams.consumer.session.timeout.ms", "10000");
        // State changes (RUNNING -> REBALANCING, ...) in the log, so the suite can count rebalances.
        settings.put("quarkus.log.category.\"org.apache.kafka.streams.KafkaStreams\".level", "INFO");
        return settings;
    }

    public ServiceProcess instance(String name, Map<String, String> settings) {
        return ServiceProcess.create(name, launcher, settings, workDir);
    }

    /** Prints one progress line, indented under the scenario's heading. */
    public void say(List<String> details, String format, Object... args) {
        String line = String.format(format, args);
        details.add(line);
        out.println("    " + line);
        out.flush();
    }

    /** How long to wait for a run's last results: twice its publishing time, and never under 3 minutes. */
    Duration drainTimeout() {
        return Duration.ofSeconds(Math.max(180, (long) (2 * articles / rate)));
    }

    /** Seconds since {@code System.nanoTime()} read {@code since}. */
    static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    static List<String> details() {
        return new ArrayList<>();
    }

    /** How many times a process's Kafka Streams went from RUNNING to rebalancing, over all its starts. */
    static int rebalances(ServiceProcess process) {
        int count = 0;
        for (String line : process.logText().split("\n")) {
            if (line.contains("State transition from RUNNING to REBALANCING")) {
                count++;
            }
        }
        return count;
    }
}
