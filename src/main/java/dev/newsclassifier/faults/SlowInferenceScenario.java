package dev.newsclassifier.faults;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Every batch made slow on purpose ({@code news.faults.inference-delay}) while a backlog much
 * longer than {@code max.poll.interval.ms} is worked off, with {@code max.poll.records} and
 * {@code max-size} set by the README's rule: the instance must never fall out of its group (no
 * RUNNING to REBALANCING transition after it first ran) and every article must come out once.
 */
public final class SlowInferenceScenario implements FaultScenario {

    private static final String NAME = "slow-inference";
    private static final Duration DELAY = Duration.ofSeconds(1);
    private static final int MAX_SIZE = 8;
    private static final int MAX_POLL_RECORDS = 16;
    private static final Duration MAX_POLL_INTERVAL = Duration.ofSeconds(20);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "every batch " + DELAY.toSeconds() + " s slower, a backlog longer than max.poll.interval.ms ("
                + MAX_POLL_INTERVAL.toSeconds() + " s): no rebalance";
    }

    @Override
    public ScenarioResult run(FaultRun run) {
        List<String> details = FaultRun.details();
        FaultStack.RunTopics topics = run.stack().createTopics(NAME, 3);
        Map<String, String> settings = run.serviceSettings(NAME, topics);
        settings.put("news.faults.inference-delay", DELAY.toMillis() + "ms");
        settings.put("news.batch.max-size", Integer.toString(MAX_SIZE));
        settings.put("kafka-streams.max.poll.records", Integer.toString(MAX_POLL_RECORDS));
        settings.put("kafka-streams.max.poll.interval.ms", Long.toString(MAX_POLL_INTERVAL.toMillis()));
        // Several times the poll interval's worth of slow batches.
        int count = 30 * MAX_SIZE;
        try (ServiceProcess service = run.instance(NAME + "-1", settings).start();
                ArticleLoad load = ArticleLoad.of(run.stack(), topics.raw(), NAME, run.texts(), count);
                DeliveryCheck check = new DeliveryCheck(run.stack(), topics)) {
            load.registerSchema();
            service.awaitReady(FaultRun.READY_TIMEOUT);
            run.say(details, "max-size %d, max.poll.records %d, max.poll.interval.ms %d, every batch +%d ms; "
                    + "%d articles at once (at least %d s of inference)", MAX_SIZE, MAX_POLL_RECORDS,
                    MAX_POLL_INTERVAL.toMillis(), DELAY.toMillis(), count, count / MAX_SIZE * DELAY.toSeconds());
            long started = System.nanoTime();
            load.publishNow(count);
            DeliveryCheck.Delivery delivery = check.awaitAll(load.ids(), FaultRun.QUIET, run.drainTimeout());
            int rebalances = FaultRun.rebalances(service);
            double slowest = service.metrics().map(samples -> samples.sum("news_inference_duration_seconds_max"))
                    .orElse(-1.0);
            run.say(details, "drained in %.1f s; slowest batch %.1f s; rebalances after first RUNNING: %d",
                    FaultRun.seconds(started), slowest, rebalances);
            return ScenarioResult.of(NAME, delivery, rebalances == 0 && service.isReady(), details);
        }
    }
}
