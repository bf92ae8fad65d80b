package dev.newsclassifier.faults;

import java.util.List;

/**
 * One row of the fault suite's summary.
 *
 * @param details what happened, in the order it happened (kill moments, recovery times, checks)
 */
public record ScenarioResult(String scenario, long inputs, long outputs, long lost, long duplicated,
        long deadLettered, boolean passed, List<String> details) {

    public ScenarioResult {
        details = List.copyOf(details);
    }

    static ScenarioResult of(String scenario, DeliveryCheck.Delivery delivery, boolean otherChecksPassed,
            List<String> details) {
        return new ScenarioResult(scenario, delivery.inputs(), delivery.outputs(), delivery.lost(),
                delivery.duplicated(), delivery.deadLettered(), delivery.exactlyOnce() && otherChecksPassed, details);
    }
}
