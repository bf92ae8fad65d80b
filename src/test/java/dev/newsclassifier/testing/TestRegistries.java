package dev.newsclassifier.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Optional;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

import dev.newsclassifier.local.ApicurioRegistry;
import dev.newsclassifier.local.RegistryKind;

/**
 * Whether the tests against a registry can run here. The built-in registry always can; Apicurio Registry needs a Java
 * 21+ and its unpacked distribution (see {@link ApicurioRegistry#unavailableReason()}). Without them those tests are
 * skipped with the reason, unless {@value #REQUIRE_APICURIO}{@code =1}, which CI sets, makes that a failure.
 *
 * <p>{@code @ExtendWith(TestRegistries.ApicurioAvailable.class)} does the same for a whole class, e.g. a
 * {@code @QuarkusTest} whose resource would start Apicurio, before anything starts.
 */
public final class TestRegistries {

    public static final String REQUIRE_APICURIO = "NEWS_CLASSIFIER_REQUIRE_APICURIO";

    /**
     * Why tests against this registry cannot run here; empty when they can.
     *
     * @throws org.opentest4j.AssertionFailedError instead of answering, when CI requires the registry
     */
    public static Optional<String> unavailable(RegistryKind kind) {
        if (kind == RegistryKind.BUILT_IN) {
            return Optional.empty();
        }
        Optional<String> reason = ApicurioRegistry.unavailableReason();
        if (reason.isPresent() && "1".equals(System.getenv(REQUIRE_APICURIO))) {
            fail(reason.get() + " (" + REQUIRE_APICURIO + "=1 makes this a failure)");
        }
        return reason;
    }

    private TestRegistries() {
    }

    /** Skips (or, in CI, fails) a class that needs Apicurio Registry where it cannot run. */
    public static final class ApicurioAvailable implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return unavailable(RegistryKind.APICURIO).map(ConditionEvaluationResult::disabled)
                    .orElseGet(() -> ConditionEvaluationResult.enabled("Apicurio Registry can run here"));
        }
    }
}
