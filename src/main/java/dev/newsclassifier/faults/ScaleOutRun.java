package dev.newsclassifier.faults;

import dev.newsclassifier.evaluation.TextTable;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Scale-out of the packaged service on one machine: 1, then 2, then 3 instances (OS processes)
 * in one consumer group on a raw topic of {@value #PARTITIONS} partitions. Each step waits until
 * every instance holds partitions, publishes the same number of articles at once and times the
 * drain. A last step runs 2 instances, adds a third mid-run and then stops the first (SIGTERM), and checks
 * that every article still came out exactly once.
 */
public final class ScaleOutRun {

    static final int PARTITIONS = 6;
    private static final Duration STABLE_TIMEOUT = Duration.ofSeconds(120);

    /**
     * One step of the run.
     *
     * @param assignments input partitions per instance once the group was stable
     * @param classified  articles each instance classified in the step
     */
    public record Step(String name, int instances, Map<String, List<Integer>> assignments, long articles,
            double seconds, double perSecond, Map<String, Long> classified, long lost, long duplicated,
            List<String> events) {
    }

    private final FaultRun run;
    private final Map<String, String> extraSettings;

    public ScaleOutRun(FaultRun run, Map<String, String> extraSettings) {
        this.run = run;
        this.extraSettings = Map.copyOf(extraSettings);
    }

    /** Draining a backlog with {@code instances} instances sharing the partitions. */
    public Step drain(int instances) {
        String name = "scale-" + instances;
        FaultStack.RunTopics topics = run.stack().createTopics(name, PARTITIONS);
        Map<String, String> settings = settings(name, topics);
        List<ServiceProcess> processes = new ArrayList<>();
        try (ArticleLoad load = ArticleLoad.of(run.stack(), topics.raw(), name, run.texts(), run.articles());
                DeliveryCheck check = new DeliveryCheck(run.stack(), topics)) {
            load.registerSchema();
            for (int i = 1; i <= instances; i++) {
                processes.add(run.instance(name + "-" + i, settings).start());
            }
            processes.forEach(process -> process.awaitReady(FaultRun.READY_TIMEOUT));
            Map<String, List<Integer>> assignments = awaitStable(name, topics, processes);
            run.out().printf("  %d instance(s): partitions %s; publishing %d articles at once%n", instances,
                    assignments, run.articles());
            long started = System.nanoTime();
            load.publishNow(run.articles());
            DeliveryCheck.Delivery delivery = check.awaitAll(load.ids(), Duration.ZERO, run.drainTimeout());
            double seconds = FaultRun.seconds(started);
            Step step = new Step(name, instances, assignments, delivery.inputs(), seconds,
                    (delivery.inputs() - delivery.lost()) / seconds, classified(processes), delivery.lost(),
                    delivery.duplicated(), List.of());
            run.out().printf("    drained in %.1f s: %.1f articles/s; classified per instance %s; lost %d, duplicated %d%n",
                    seconds, step.perSecond(), step.classified(), step.lost(), step.duplicated());
            return step;
        } finally {
            processes.forEach(ServiceProcess::stop);
        }
    }

    /**
     * Two instances under steady load; a third joins after a sixth of the articles, and the first
     * leaves after two thirds, once the newcomer has classified something.
     */
    public Step joinAndLeave() {
        String name = "scale-join-leave";
        FaultStack.RunTopics topics = run.stack().createTopics(name, PARTITIONS);
        Map<String, String> settings = settings(name, topics);
        List<ServiceProcess> processes = new ArrayList<>();
        List<String> events = new ArrayList<>();
        try (ArticleLoad load = ArticleLoad.of(run.stack(), topics.raw(), name, run.texts(), run.articles());
                DeliveryCheck check = new DeliveryCheck(run.stack(), topics)) {
            load.registerSchema();
            for (int i = 1; i <= 3; i++) {
                processes.add(run.instance(name + "-" + i, settings));
            }
            processes.get(0).start();
            processes.get(1).start();
            processes.subList(0, 2).forEach(process -> process.awaitReady(FaultRun.READY_TIMEOUT));
            event(events, "2 instances: partitions %s", awaitStable(name, topics, processes.subList(0, 2)));
            long started = System.nanoTime();
            load.startPaced(run.rate());
            awaitPublished(load, run.articles() / 6, check);
            processes.get(2).start().awaitReady(FaultRun.READY_TIMEOUT);
            event(events, "%5.1f s  %s joined: partitions %s", FaultRun.seconds(started), processes.get(2).name(),
                    awaitStable(name, topics, processes));
            // The first instance leaves once the newcomer has taken over work, and not before two thirds are out.
            ServiceProcess newcomer = processes.get(2);
            while (load.published() < run.articles() && (load.published() < 2 * run.articles() / 3
                    || classified(List.of(newcomer)).get(newcomer.name()) == 0)) {
                check.poll();
            }
            Map<String, Long> classifiedBeforeLeaving = classified(processes);
            processes.get(0).stop();
            // It left the group as it stopped, so the others take its partitions without waiting for its session
            // (static membership) to expire.
            long exited = System.nanoTime();
            Map<String, List<Integer>> afterLeaving = awaitStable(name, topics, processes.subList(1, 3));
            event(events, "%5.1f s  %s left (SIGTERM): partitions %s, settled %.1f s after it exited",
                    FaultRun.seconds(started), processes.get(0).name(), afterLeaving, FaultRun.seconds(exited));
            load.awaitPublished();
            DeliveryCheck.Delivery delivery = check.awaitAll(load.ids(), FaultRun.QUIET, run.drainTimeout());
            double seconds = FaultRun.seconds(started);
            Map<String, Long> classified = classified(processes);
            classified.put(processes.get(0).name(), classifiedBeforeLeaving.get(processes.get(0).name()));
            event(events, "%5.1f s  %d of %d labeled; lost %d, duplicated %d", seconds,
                    delivery.inputs() - delivery.lost(), delivery.inputs(), delivery.lost(), delivery.duplicated());
            return new Step(name, 3, Map.of(), delivery.inputs(), seconds, delivery.inputs() / seconds, classified,
                    delivery.lost(), delivery.duplicated(), events);
        } finally {
            processes.forEach(ServiceProcess::stop);
        }
    }

    public static void printSummary(List<Step> steps, PrintWriter out) {
        TextTable table = new TextTable("step", "instances>", "partitions per instance", "articles>", "seconds>",
                "articles/s>", "classified per instance", "lost>", "duplicated>");
        for (Step step : steps) {
            table.row(step.name(), step.instances(), step.assignments().isEmpty() ? "(changes mid-run)"
                    : step.assignments().values().stream().map(List::toString).collect(Collectors.joining(" ")),
                    step.articles(), String.format("%.1f", step.seconds()), String.format("%.1f", step.perSecond()),
                    step.classified().values().stream().map(String::valueOf).collect(Collectors.joining(" / ")),
                    step.lost(), step.duplicated());
        }
        out.println();
        out.println("Summary");
        table.print(out, "  ");
        out.flush();
    }

    private Map<String, String> settings(String name, FaultStack.RunTopics topics) {
        Map<String, String> settings = run.serviceSettings(name, topics);
        settings.putAll(extraSettings);
        return settings;
    }

    private void event(List<String> events, String format, Object... args) {
        String line = String.format(format, args);
        events.add(line);
        run.out().println("    " + line);
    }

    private static void awaitPublished(ArticleLoad load, int count, DeliveryCheck check) {
        while (load.published() < count) {
            check.poll();
        }
    }

    /**
     * Waits until exactly these instances are the group's members and together hold every
     * partition; returns the partitions by instance name.
     */
    private Map<String, List<Integer>> awaitStable(String groupId, FaultStack.RunTopics topics,
            List<ServiceProcess> members) {
        long deadline = System.nanoTime() + STABLE_TIMEOUT.toNanos();
        Map<String, List<Integer>> byInstance = Map.of();
        while (System.nanoTime() < deadline) {
            byInstance = byInstance(run.stack().assignments(groupId, topics.raw()), members);
            long held = byInstance.values().stream().mapToLong(List::size).sum();
            if (byInstance.size() == members.size() && held == PARTITIONS
                    && byInstance.values().stream().noneMatch(List::isEmpty)) {
                return byInstance;
            }
            ServiceProcess.sleep(500);
        }
        throw new IllegalStateException("the group did not settle on " + members.size() + " members within "
                + STABLE_TIMEOUT.toSeconds() + " s: " + byInstance);
    }

    /** Client ids ({@code <instance>-StreamThread-1-consumer}) mapped back to instance names. */
    private static Map<String, List<Integer>> byInstance(Map<String, List<Integer>> byClient,
            List<ServiceProcess> members) {
        Map<String, List<Integer>> result = new LinkedHashMap<>();
        for (ServiceProcess member : members) {
            byClient.forEach((client, partitions) -> {
                if (client.startsWith(member.name() + "-StreamThread")) {
                    result.computeIfAbsent(member.name(), ignored -> new ArrayList<>()).addAll(partitions);
                }
            });
        }
        return result;
    }

    private static Map<String, Long> classified(List<ServiceProcess> processes) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (ServiceProcess process : processes) {
            counts.put(process.name(), process.metrics()
                    .map(samples -> (long) samples.sum("news_articles_classified_total")).orElse(0L));
        }
        return counts;
    }
}
