package dev.newsclassifier.faults;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The schema registry is unreachable: either when the service starts, or for a while as it runs.
 * At start-up the service must say so clearly, stay up and not ready, and begin once the registry
 * answers; while running, it must keep classifying with the schemas it has cached.
 */
public final class RegistryOutageScenario implements FaultScenario {

    private static final Duration DOWN_FOR = Duration.ofSeconds(15);
    /** The service's start-up message when the registry does not answer (see {@code RegistryWarmUp}). */
    static final String UNREACHABLE_MESSAGE = "Schema registry unreachable";

    private final boolean atStartUp;

    private RegistryOutageScenario(boolean atStartUp) {
        this.atStartUp = atStartUp;
    }

    public static RegistryOutageScenario atStartUp() {
        return new RegistryOutageScenario(true);
    }

    public static RegistryOutageScenario whileRunning() {
        return new RegistryOutageScenario(false);
    }

    @Override
    public String name() {
        return atStartUp ? "registry-down-at-start-up" : "registry-outage";
    }

    @Override
    public String description() {
        return atStartUp ? "start the service while the registry is down; it waits, says so, and starts when it returns"
                : "stop the registry for " + DOWN_FOR.toSeconds() + " s mid-stream; cached schemas keep it classifying";
    }

    @Override
    public ScenarioResult run(FaultRun run) {
        List<String> details = FaultRun.details();
        FaultStack.RunTopics topics = run.stack().createTopics(name(), 3);
        Map<String, String> settings = run.serviceSettings(name(), topics);
        int count = Math.max(100, run.articles() / 2);
        try (ServiceProcess service = run.instance(name() + "-1", settings);
                ArticleLoad load = ArticleLoad.of(run.stack(), topics.raw(), name(), run.texts(), count);
                DeliveryCheck check = new DeliveryCheck(run.stack(), topics)) {
            load.registerSchema();
            boolean checksPassed = atStartUp ? startWithoutRegistry(run, service, load, details)
                    : loseRegistryWhileRunning(run, service, load, check, details);
            load.awaitPublished();
            DeliveryCheck.Delivery delivery = check.awaitAll(load.ids(), FaultRun.QUIET, run.drainTimeout());
            run.say(details, "%d of %d ids labeled", delivery.inputs() - delivery.lost(), delivery.inputs());
            return ScenarioResult.of(name(), delivery, checksPassed, details);
        } finally {
            if (run.stack().registryDown()) {
                run.stack().startRegistry();
            }
        }
    }

    private boolean startWithoutRegistry(FaultRun run, ServiceProcess service, ArticleLoad load, List<String> details) {
        run.stack().stopRegistry();
        service.start();
        long started = System.nanoTime();
        while (service.readinessStatus().isEmpty() && service.isAlive()
                && System.nanoTime() - started < FaultRun.READY_TIMEOUT.toNanos()) {
            ServiceProcess.sleep(200);
        }
        load.publishNow(load.ids().size() / 2);
        // Long enough for several retries: the service must neither exit nor turn ready meanwhile.
        boolean everReady = false;
        for (int i = 0; i < 20; i++) {
            everReady |= service.isReady();
            ServiceProcess.sleep(500);
        }
        boolean alive = service.isAlive();
        boolean said = service.logText().contains(UNREACHABLE_MESSAGE);
        run.say(details, "registry down: the service is %s, %s, and %s", alive ? "up" : "GONE (exit "
                + service.exitCode() + ")", everReady ? "turned READY (wrong)" : "not ready",
                said ? "its log says \"" + UNREACHABLE_MESSAGE + "\"" : "its log does NOT say the registry is unreachable");
        run.stack().startRegistry();
        long back = System.nanoTime();
        service.awaitReady(FaultRun.READY_TIMEOUT);
        run.say(details, "registry back: the service was ready %.1f s later", FaultRun.seconds(back));
        load.startPaced(run.rate());
        return alive && !everReady && said;
    }

    private boolean loseRegistryWhileRunning(FaultRun run, ServiceProcess service, ArticleLoad load,
            DeliveryCheck check, List<String> details) {
        service.start().awaitReady(FaultRun.READY_TIMEOUT);
        load.startPaced(run.rate());
        while (load.published() < load.ids().size() / 3) {
            check.poll();
        }
        run.stack().stopRegistry();
        long before = check.outputs();
        long stopped = System.nanoTime();
        while (System.nanoTime() - stopped < DOWN_FOR.toNanos()) {
            check.poll();
        }
        long during = check.outputs() - before;
        run.say(details, "registry down for %d s: %d articles labeled meanwhile, the service %s", DOWN_FOR.toSeconds(),
                during, service.isReady() ? "stayed ready" : "is NOT ready");
        boolean kept = during > 0 && service.isReady();
        run.stack().startRegistry();
        return kept;
    }
}
