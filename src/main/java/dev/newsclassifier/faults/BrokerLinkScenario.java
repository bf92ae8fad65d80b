package dev.newsclassifier.faults;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The network between the service and the broker breaks, the broker itself stays up: every connection of the
 * service goes through a proxy in this JVM ({@link LinkProxy}), which first cuts the link for {@link #CUT_FOR} (open
 * connections reset, new ones refused), then delivers every byte {@link #LATENCY} late, each way, for
 * {@link #SLOW_FOR}. Publishing and the delivery check use the broker directly. The service must carry on by itself,
 * label articles again once the link is back and while it is slow, and deliver every article exactly once.
 */
public final class BrokerLinkScenario implements FaultScenario {

    static final Duration CUT_FOR = Duration.ofSeconds(20);
    static final Duration SLOW_FOR = Duration.ofSeconds(20);
    static final Duration LATENCY = Duration.ofMillis(500);
    /**
     * Publishing time before the cut and after the slow phase: articles keep arriving through both faults, so that
     * labeled output after the link is back and while it is slow shows recovery rather than a backlog left over.
     */
    static final Duration LEAD = Duration.ofSeconds(10);
    private static final String NAME = "broker-link";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "cut the link between the service and the broker for " + CUT_FOR.toSeconds() + " s, then add "
                + LATENCY.toMillis() + " ms each way for " + SLOW_FOR.toSeconds() + " s; the service recovers by itself";
    }

    @Override
    public ScenarioResult run(FaultRun run) {
        List<String> details = FaultRun.details();
        FaultStack.RunTopics topics = run.stack().createTopics(NAME, 3);
        Map<String, String> settings = run.serviceSettings(NAME, topics);
        settings.put("kafka.bootstrap.servers", run.stack().proxiedBootstrapServers());
        LinkProxy link = run.stack().link();
        int articles = Math.max(run.articles(),
                (int) Math.ceil((2 * LEAD.toSeconds() + CUT_FOR.toSeconds() + SLOW_FOR.toSeconds()) * run.rate()));
        try (ServiceProcess service = run.instance(NAME + "-1", settings).start();
                ArticleLoad load = ArticleLoad.of(run.stack(), topics.raw(), NAME, run.texts(), articles);
                DeliveryCheck check = new DeliveryCheck(run.stack(), topics)) {
            load.registerSchema();
            service.awaitReady(FaultRun.READY_TIMEOUT);
            run.say(details, "ready; publishing %d articles at %.0f/s", articles, run.rate());
            long started = System.nanoTime();
            load.startPaced(run.rate());
            pollFor(check, LEAD);
            int reset = link.cut();
            long labeledBefore = check.outputs();
            run.say(details, "%5.1f s  link cut (%d connections reset, new ones refused); %d published, %d labeled",
                    FaultRun.seconds(started), reset, load.published(), labeledBefore);
            pollFor(check, CUT_FOR);
            long labeledWhileCut = check.outputs() - labeledBefore;
            link.restore();
            long restored = System.nanoTime();
            long labeledAtRestore = check.outputs();
            while (check.outputs() <= labeledAtRestore
                    && System.nanoTime() - restored < FaultRun.READY_TIMEOUT.toNanos()) {
                check.poll();
            }
            boolean resumed = check.outputs() > labeledAtRestore;
            run.say(details, "%5.1f s  link back after %d s (%d labeled while cut); labeled articles flow again %s",
                    FaultRun.seconds(started), CUT_FOR.toSeconds(), labeledWhileCut,
                    resumed ? String.format("%.1f s later", FaultRun.seconds(restored)) : "NEVER");
            link.delay(LATENCY);
            long labeledBeforeSlow = check.outputs();
            pollFor(check, SLOW_FOR);
            link.delay(Duration.ZERO);
            long labeledWhileSlow = check.outputs() - labeledBeforeSlow;
            run.say(details, "%5.1f s  %d ms each way for %d s: %d labeled meanwhile (%.1f/s); link normal again",
                    FaultRun.seconds(started), LATENCY.toMillis(), SLOW_FOR.toSeconds(), labeledWhileSlow,
                    labeledWhileSlow / (double) SLOW_FOR.toSeconds());
            load.awaitPublished();
            DeliveryCheck.Delivery delivery = check.awaitAll(load.ids(), FaultRun.QUIET, run.drainTimeout());
            boolean survived = service.isAlive() && service.isReady();
            run.say(details, "%5.1f s  %d of %d ids labeled; the service process %s", FaultRun.seconds(started),
                    delivery.inputs() - delivery.lost(), delivery.inputs(),
                    survived ? "was never restarted and is ready" : "is not ready: " + service.logTail(5));
            return ScenarioResult.of(NAME, delivery, resumed && labeledWhileSlow > 0 && survived, details);
        } finally {
            link.restore();
            link.delay(Duration.ZERO);
        }
    }

    private static void pollFor(DeliveryCheck check, Duration period) {
        long until = System.nanoTime() + period.toNanos();
        while (System.nanoTime() < until) {
            check.poll();
        }
    }
}
