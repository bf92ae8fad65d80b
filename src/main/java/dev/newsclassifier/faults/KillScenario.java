package dev.newsclassifier.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code kill -9} of service instances while articles stream through, each at a chosen moment:
 * while a batch waits in the buffer, while the model runs, or at random. Each killed instance is
 * restarted at once with the same state directory and instance id, as a pod restarts with its volume and name.
 * Whatever was in flight must come out exactly once, and each restart must be quick: ready, and new labeled records
 * on every partition of the labeled topic, within the restart limit ({@link #DEFAULT_RESTART_LIMIT} unless told
 * otherwise) of being started again.
 */
public final class KillScenario implements FaultScenario {

    /** When to pull the plug, judged from the instance's own gauges. */
    public enum Moment {
        BUFFERED("while a batch is buffered"),
        INFERRING("while inference is running"),
        RANDOM("at a random moment");

        private final String words;

        Moment(String words) {
            this.words = words;
        }
    }

    /** Kill instance {@code instance} (0-based) at {@code moment}. */
    public record Kill(int instance, Moment moment) {
    }

    private static final Duration MOMENT_TIMEOUT = Duration.ofSeconds(60);
    /** The longest a restart may take to be ready, and to bring new output on every partition. */
    public static final Duration DEFAULT_RESTART_LIMIT = Duration.ofSeconds(10);
    private static final Duration OUTPUT_TIMEOUT = Duration.ofSeconds(60);
    /**
     * Publishing time between two kills, at least: articles keep arriving through every restart, so that new output
     * on every partition can be waited for, and the next kill comes after the last restart was measured.
     */
    private static final Duration KILL_SPACING = Duration.ofSeconds(15);

    private final String name;
    private final int instances;
    private final List<Kill> kills;
    private final Duration restartLimit;

    private KillScenario(String name, int instances, List<Kill> kills, Duration restartLimit) {
        this.name = name;
        this.instances = instances;
        this.kills = List.copyOf(kills);
        this.restartLimit = restartLimit;
    }

    /** One instance, killed {@code times} times: while a batch is buffered, while inference runs, at random, again. */
    public static KillScenario singleInstance(int times, Duration restartLimit) {
        List<Kill> kills = new ArrayList<>();
        for (int k = 0; k < times; k++) {
            kills.add(new Kill(0, Moment.values()[k % Moment.values().length]));
        }
        return new KillScenario("kill-9", 1, kills, restartLimit);
    }

    /** Two instances sharing the partitions; one is killed, then the other, then the first again. */
    public static KillScenario twoInstances(Duration restartLimit) {
        return new KillScenario("kill-9-two-instances", 2, List.of(new Kill(0, Moment.INFERRING),
                new Kill(1, Moment.BUFFERED), new Kill(0, Moment.RANDOM)), restartLimit);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return "kill -9 " + (instances == 1 ? "the instance" : "one of " + instances + " instances") + " "
                + kills.size() + " times mid-stream (buffered batch, running inference, random), restart each";
    }

    @Override
    public ScenarioResult run(FaultRun run) {
        List<String> details = FaultRun.details();
        FaultStack.RunTopics topics = run.stack().createTopics(name, 3);
        Map<String, String> settings = run.serviceSettings(name, topics);
        // Batches must wait in the buffer long enough to be caught there: the batcher runs them once a poll comes back
        // empty, which at the suite's rate a 500 ms poll never does, so they wait for a max-delay of 500 ms.
        settings.put("news.batch.max-delay", "500ms");
        settings.put("kafka-streams.poll.ms", "500");
        List<ServiceProcess> processes = new ArrayList<>();
        boolean momentsObserved = true;
        List<Duration> recoveries = new ArrayList<>();
        int articles = Math.max(run.articles(),
                (int) Math.ceil((kills.size() + 1) * KILL_SPACING.toSeconds() * run.rate()));
        try (ArticleLoad load = ArticleLoad.of(run.stack(), topics.raw(), name, run.texts(), articles);
                DeliveryCheck check = new DeliveryCheck(run.stack(), topics)) {
            load.registerSchema();
            for (int i = 0; i < instances; i++) {
                processes.add(run.instance(name + "-" + (i + 1), settings).start());
            }
            for (ServiceProcess process : processes) {
                process.awaitReady(FaultRun.READY_TIMEOUT);
            }
            run.say(details, "%d instance(s) ready; publishing %d articles at %.0f/s", instances, articles, run.rate());
            long started = System.nanoTime();
            load.startPaced(run.rate());
            for (int k = 0; k < kills.size(); k++) {
                Kill kill = kills.get(k);
                int due = articles * (k + 1) / (kills.size() + 1);
                while (load.published() < due) {
                    check.poll();
                }
                ServiceProcess victim = processes.get(kill.instance());
                Optional<String> caught = awaitMoment(victim, kill.moment(), run);
                momentsObserved &= caught.isPresent();
                victim.kill();
                run.say(details, "%5.1f s  kill -9 %s %s (%s); %d published, %d labeled so far",
                        FaultRun.seconds(started), victim.name(), kill.moment().words,
                        caught.orElse("moment NOT observed, killed anyway"), load.published(), check.outputs());
                // What the killed instance committed is read now, so that what comes later is the restart's.
                check.drainCommitted();
                long restarting = System.nanoTime();
                long restartingAt = System.currentTimeMillis();
                victim.start().awaitReady(FaultRun.READY_TIMEOUT);
                Duration ready = Duration.ofNanos(System.nanoTime() - restarting);
                Optional<Duration> output = check.awaitOutputOnEveryPartition(restartingAt, OUTPUT_TIMEOUT);
                recoveries.add(ready);
                recoveries.add(output.orElse(OUTPUT_TIMEOUT));
                run.say(details, "%5.1f s  %s restarted: ready after %.1f s, new output on every partition after %s",
                        FaultRun.seconds(started), victim.name(), ready.toMillis() / 1000.0,
                        output.map(d -> String.format("%.1f s", d.toMillis() / 1000.0)).orElse("MORE THAN "
                                + OUTPUT_TIMEOUT.toSeconds() + " s"));
            }
            load.awaitPublished();
            DeliveryCheck.Delivery delivery = check.awaitAll(load.ids(), FaultRun.QUIET, run.drainTimeout());
            run.say(details, "%5.1f s  all published; %d of %d ids labeled", FaultRun.seconds(started),
                    delivery.inputs() - delivery.lost(), delivery.inputs());
            Duration slowest = recoveries.stream().max(Duration::compareTo).orElse(Duration.ZERO);
            boolean quick = slowest.compareTo(restartLimit) <= 0;
            run.say(details, "slowest restart %.1f s over %d kills (limit %d s): %s", slowest.toMillis() / 1000.0,
                    kills.size(), restartLimit.toSeconds(), quick ? "ok" : "TOO SLOW");
            return ScenarioResult.of(name, delivery, momentsObserved && quick, details);
        } finally {
            processes.forEach(ServiceProcess::stop);
        }
    }

    /** Polls the instance's gauges until the moment comes; empty if it did not within a minute. */
    private static Optional<String> awaitMoment(ServiceProcess process, Moment moment, FaultRun run) {
        if (moment == Moment.RANDOM) {
            ServiceProcess.sleep(run.random().nextInt(2000));
            return Optional.of(process.metrics().map(KillScenario::gauges).orElse("no metrics"));
        }
        long deadline = System.nanoTime() + MOMENT_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<PrometheusSamples> samples = process.metrics();
            if (samples.isPresent()) {
                double buffered = samples.get().sum("news_batch_buffered");
                double inferring = samples.get().sum("news_inference_active");
                boolean now = moment == Moment.INFERRING ? inferring > 0 : buffered > 0 && inferring == 0;
                if (now) {
                    return Optional.of(gauges(samples.get()));
                }
            }
            ServiceProcess.sleep(10);
        }
        return Optional.empty();
    }

    /** The two gauges that say what a crash interrupts, e.g. {@code buffered 12, inferring 1}. */
    private static String gauges(PrometheusSamples samples) {
        return String.format("buffered %.0f, inferring %.0f", samples.sum("news_batch_buffered"),
                samples.sum("news_inference_active"));
    }
}
