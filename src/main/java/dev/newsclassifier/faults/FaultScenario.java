package dev.newsclassifier.faults;

/** One fault, injected into running service processes, and the checks that say the service survived it. */
public interface FaultScenario {

    /** The name the command line selects it by, e.g. {@code kill-9}. */
    String name();

    /** One line for the command's help and the report. */
    String description();

    ScenarioResult run(FaultRun run) throws Exception;
}
