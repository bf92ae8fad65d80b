package dev.newsclassifier.faults;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/** Every scenario by name, and the subsets the command runs. */
public final class FaultScenarios {

    /** Scenario factories by name, in the order the full suite runs them; the argument is the soak's minutes. */
    private static final Map<String, IntFunction<FaultScenario>> ALL = new LinkedHashMap<>();
    private static final List<String> QUICK = List.of("kill-9", "bad-input", "poison-article", "model-problems",
            "registry-down-at-start-up");
    private static final String SOAK = "soak";

    static {
        ALL.put("kill-9", minutes -> KillScenario.singleInstance());
        ALL.put("kill-9-two-instances", minutes -> KillScenario.twoInstances());
        ALL.put("broker-restart", minutes -> new BrokerRestartScenario());
        ALL.put("registry-down-at-start-up", minutes -> RegistryOutageScenario.atStartUp());
        ALL.put("registry-outage", minutes -> RegistryOutageScenario.whileRunning());
        ALL.put("model-problems", minutes -> new ModelProblemsScenario());
        ALL.put("slow-inference", minutes -> new SlowInferenceScenario());
        ALL.put("bad-input", minutes -> new BadInputScenario());
        ALL.put("poison-article", minutes -> new PoisonArticleScenario());
        ALL.put(SOAK, SoakScenario::new);
    }

    private FaultScenarios() {
    }

    /**
     * The named scenarios; none named means all but the soak, or the CI subset when {@code quick}.
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public static List<FaultScenario> select(List<String> names, boolean quick, int soakMinutes) {
        List<String> chosen = !names.isEmpty() ? names
                : quick ? QUICK : ALL.keySet().stream().filter(name -> !name.equals(SOAK)).toList();
        List<FaultScenario> scenarios = new ArrayList<>();
        for (String name : chosen) {
            IntFunction<FaultScenario> factory = ALL.get(name.trim());
            if (factory == null) {
                throw new IllegalArgumentException("unknown scenario '" + name + "'; known: " + ALL.keySet());
            }
            scenarios.add(factory.apply(soakMinutes));
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
