package dev.newsclassifier.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The service under steady load for a long while: first its maximum rate is measured by draining
 * a backlog, then articles arrive at 80% of it for the soak's length. Every 30 s the heap after a
 * full GC, the resident set size and the consumer lag are sampled. Passes when the heap and RSS
 * stay flat (the last samples within 20% of those after warm-up), the lag stays bounded (at the
 * end, under 30 s of input), no error is logged and every article comes out exactly once.
 */
public final class SoakScenario implements FaultScenario {

    private static final String NAME = "soak";
    private static final Duration SAMPLE_EVERY = Duration.ofSeconds(30);
    private static final double LOAD_FRACTION = 0.8;
    private static final double FLAT = 1.20;

    private final int minutes;

    public SoakScenario(int minutes) {
        this.minutes = minutes;
    }

    /** One sample of the soak, every 30 s. */
    public record Sample(double minute, long labeled, long lag, double heapAfterGcMb, double rssMb) {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return minutes + " minutes at 80% of the measured maximum rate: heap after GC, RSS and lag stay flat";
    }

    @Override
    public ScenarioResult run(FaultRun run) {
        List<String> details = FaultRun.details();
        FaultStack.RunTopics topics = run.stack().createTopics(NAME, 3);
        Map<String, String> settings = run.serviceSettings(NAME, topics);
        int backlog = Math.max(1000, run.articles() / 2);
        try (ServiceProcess service = run.instance(NAME + "-1", settings).start();
                ArticleLoad warmUp = ArticleLoad.of(run.stack(), topics.raw(), NAME + "-max", run.texts(), backlog);
                DeliveryCheck check = new DeliveryCheck(run.stack(), topics)) {
            warmUp.registerSchema();
            service.awaitReady(FaultRun.READY_TIMEOUT);
            long drainStart = System.nanoTime();
            warmUp.publishNow(backlog);
            DeliveryCheck.Delivery drained = check.awaitAll(warmUp.ids(), Duration.ZERO, run.drainTimeout());
            double maxRate = backlog / FaultRun.seconds(drainStart);
            double rate = LOAD_FRACTION * maxRate;
            int count = (int) (rate * minutes * 60);
            run.say(details, "maximum: %d articles drained at %.1f/s; soaking at %.1f/s for %d min (%d articles)",
                    backlog, maxRate, rate, minutes, count);

            List<Sample> samples = new ArrayList<>();
            List<String> ids = new ArrayList<>(warmUp.ids());
            try (ArticleLoad load = ArticleLoad.of(run.stack(), topics.raw(), NAME, run.texts(), count)) {
                ids.addAll(load.ids());
                long started = System.nanoTime();
                load.startPaced(rate);
                long nextSample = started;
                while (load.published() < count) {
                    check.poll();
                    if (System.nanoTime() >= nextSample) {
                        Sample sample = sample(service, run, check, settings, started);
                        samples.add(sample);
                        run.say(details, "%5.1f min  labeled %6d  lag %5d  heap after GC %6.1f MB  RSS %6.1f MB",
                                sample.minute(), sample.labeled(), sample.lag(), sample.heapAfterGcMb(), sample.rssMb());
                        nextSample += SAMPLE_EVERY.toNanos();
                    }
                }
                load.awaitPublished();
            }
            DeliveryCheck.Delivery delivery = check.awaitAll(ids, FaultRun.QUIET, run.drainTimeout());
            long errors = service.logText().lines().filter(line -> line.contains(" ERROR ")).count();
            boolean flat = flat(samples, Sample::heapAfterGcMb, "heap after GC", run, details)
                    & flat(samples, Sample::rssMb, "RSS", run, details);
            long maxLag = samples.stream().mapToLong(Sample::lag).max().orElse(0);
            double endLag = samples.subList(Math.max(0, samples.size() - 3), samples.size()).stream()
                    .mapToLong(Sample::lag).average().orElse(0);
            // A spike while other work shares the cores is not a leak; lag that grows without end is.
            boolean bounded = endLag < rate * 30;
            run.say(details, "lag at most %d records (%.1f s of input), %.0f at the end: %s; errors logged: %d; "
                    + "warm-up drained %d of %d", maxLag, maxLag / rate, endLag, bounded ? "bounded" : "NOT bounded",
                    errors, drained.inputs() - drained.lost(), drained.inputs());
            return ScenarioResult.of(NAME, delivery, flat && bounded && errors == 0 && service.isAlive(), details);
        }
    }

    private static Sample sample(ServiceProcess service, FaultRun run, DeliveryCheck check,
            Map<String, String> settings, long started) {
        double heap = service.heapAfterGc().orElse(-1.0) / 1e6;
        double rss = service.residentBytes() / 1e6;
        long lag = run.stack().lag(settings.get("quarkus.kafka-streams.application-id"),
                settings.get("news.topics.raw"));
        return new Sample((System.nanoTime() - started) / 60e9, check.outputs(), lag, heap, rss);
    }

    /** The mean of the last three samples against the mean of three after the first minute's warm-up. */
    private static boolean flat(List<Sample> samples, java.util.function.ToDoubleFunction<Sample> value, String what,
            FaultRun run, List<String> details) {
        List<Sample> settled = samples.stream().filter(sample -> sample.minute() >= 1.0).toList();
        if (settled.size() < 6) {
            run.say(details, "%s: too few samples after warm-up to judge (%d)", what, settled.size());
            return false;
        }
        double early = settled.subList(0, 3).stream().mapToDouble(value).average().orElseThrow();
        double late = settled.subList(settled.size() - 3, settled.size()).stream().mapToDouble(value).average()
                .orElseThrow();
        boolean flat = late <= early * FLAT;
        run.say(details, "%s: %.1f MB after warm-up, %.1f MB at the end (%+.0f%%): %s", what, early, late,
                100 * (late / early - 1), flat ? "flat" : "GROWING");
        return flat;
    }
}
