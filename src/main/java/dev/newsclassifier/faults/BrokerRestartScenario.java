package dev.newsclassifier.faults;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The broker stops cleanly in the middle of a run and comes back on the same address after a
 * pause. The service is left alone: it must reconnect and carry on by itself, without a restart
 * from outside, and every article must still come out exactly once.
 */
public final class BrokerRestartScenario implements FaultScenario {

    private static final Duration DOWN_FOR = Duration.ofSeconds(10);
    private static final String NAME = "broker-restart";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "stop the broker for " + DOWN_FOR.toSeconds() + " s mid-stream and start it again; "
                + "the service recovers by itself";
    }

    @Override
    public ScenarioResult run(FaultRun run) {
        List<String> details = FaultRun.details();
        FaultStack.RunTopics topics = run.stack().createTopics(NAME, 3);
        Map<String, String> settings = run.serviceSettings(NAME, topics);
        try (ServiceProcess service = run.instance(NAME + "-1", settings).start();
                ArticleLoad load = ArticleLoad.of(run.stack(), topics.raw(), NAME, run.texts(), run.articles());
                DeliveryCheck check = new DeliveryCheck(run.stack(), topics)) {
            load.registerSchema();
            service.awaitReady(FaultRun.READY_TIMEOUT);
            long started = System.nanoTime();
            load.startPaced(run.rate());
            while (load.published() < run.articles() / 3) {
                check.poll();
            }
            check.poll();
            long before = check.outputs();
            run.stack().broker().stop();
            run.say(details, "%5.1f s  broker stopped; %d published, %d labeled so far", FaultRun.seconds(started),
                    load.published(), before);
            ServiceProcess.sleep(DOWN_FOR.toMillis());
            run.stack().broker().start();
            long restarted = System.nanoTime();
            run.say(details, "%5.1f s  broker started again", FaultRun.seconds(started));
            while (check.outputs() <= before && System.nanoTime() - restarted < FaultRun.READY_TIMEOUT.toNanos()) {
                check.poll();
            }
            boolean resumed = check.outputs() > before;
            run.say(details, resumed ? "%5.1f s  labeled articles flow again, %.1f s after the broker came back"
                    : "%5.1f s  no labeled article within %.0f s of the broker coming back",
                    FaultRun.seconds(started), resumed ? FaultRun.seconds(restarted)
                            : (double) FaultRun.READY_TIMEOUT.toSeconds());
            load.awaitPublished();
            DeliveryCheck.Delivery delivery = check.awaitAll(load.ids(), FaultRun.QUIET, run.drainTimeout());
            boolean survived = service.isAlive() && service.isReady();
            run.say(details, "%5.1f s  %d of %d ids labeled; the service process %s", FaultRun.seconds(started),
                    delivery.inputs() - delivery.lost(), delivery.inputs(),
                    survived ? "was never restarted and is ready" : "is not ready: " + service.logTail(5));
            return ScenarioResult.of(NAME, delivery, resumed && survived, details);
        }
    }
}
