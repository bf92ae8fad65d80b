package dev.newsclassifier.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Every scenario by name, and the subsets the command runs. */
public final class FaultScenarios {

    /** How large a run is (the CI subset's scale or the full one), the soak's length, and kill-9's restart limit. */
    record Scale(boolean quick, int soakMinutes, Duration restartLimit) {
    }

    /** Scenario factories by name, in the order the full suite runs them. */
    private static final Map<String, Function<Scale, FaultScenario>> ALL = new LinkedHashMap<>();
    private static final List<String> QUICK = List.of("kill-9", "bad-input", "poison-article", "model-problems",
            "registry-down-at-start-up", "model-swap", "feedback");
    private static final String SOAK = "soak";

    static {
        ALL.put("kill-9", scale -> KillScenario.singleInstance(scale.quick() ? 3 : 10, scale.restartLimit()));
        ALL.put("kill-9-two-instances", scale -> KillScenario.twoInstances(scale.restartLimit()));
        ALL.put("broker-restart", scale -> new BrokerRestartScenario());
        ALL.put("broker-link", scale -> new BrokerLinkScenario());
        ALL.put("registry-down-at-start-up", scale -> RegistryOutageScenario.atStartUp());
        ALL.put("registry-outage", scale -> RegistryOutageScenario.whileRunning());
        ALL.put("model-problems", scale -> new ModelProblemsScenario());
        ALL.put("slow-inference", scale -> new SlowInferenceScenario());
        ALL.put("bad-input", scale -> new BadInputScenario());
        ALL.put("poison-article", scale -> new PoisonArticleScenario());
        ALL.put("model-swap", scale -> new ModelSwapScenario());
        ALL.put("feedback", scale -> new FeedbackScenario(scale.quick() ? 600 : 2000));
        ALL.put(SOAK, scale -> new SoakScenario(scale.soakMinutes()));
    }

    private FaultScenarios() {
    }

    /**
     * The named scenarios; none named means all but the soak, or the CI subset when {@code quick}.
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public static List<FaultScenario> select(List<String> names, boolean quick, int soakMinutes, Duration restartLimit) {
        List<String> chosen = !names.isEmpty() ? names
                : quick ? QUICK : ALL.keySet().stream().filter(name -> !name.equals(SOAK)).toList();
        List<FaultScenario> scenarios = new ArrayList<>();
        for (String name : chosen) {
            Function<Scale, FaultScenario> factory = ALL.get(name.trim());
            if (factory == null) {
                throw new IllegalArgumentException("unknown scenario '" + name + "'; known: " + ALL.keySet());
            }
            scenarios.add(factory.apply(new Scale(quick, soakMinutes, restartLimit)));
        }
        return scenarios;
    }

    /** The names, for the command's help. */
    public static final class Names implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return ALL.keySet().iterator();
        }
    }
}
