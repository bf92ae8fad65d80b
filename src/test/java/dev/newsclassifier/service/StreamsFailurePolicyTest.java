package dev.newsclassifier.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.newsclassifier.inference.InferenceException;
import dev.newsclassifier.registry.SchemaRegistryUnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

/** The policy alone, with the batches that labeled counted by hand and its pauses recorded instead of slept. */
class StreamsFailurePolicyTest {

    private final AtomicLong labelingBatches = new AtomicLong();
    private final List<Long> pauses = new ArrayList<>();
    private final StreamsFailurePolicy policy = new StreamsFailurePolicy(labelingBatches::get, 3, pauses::add);

    /** How a runtime failure reaches the handler: wrapped by Kafka Streams. */
    private static Throwable runtimeFailure() {
        return new StreamsException("Exception caught in process",
                new InferenceException("Inference failed on each of the 32 articles of a batch alone"));
    }

    @Test
    void shouldShutDownTheClientOnTheThirdInferenceFailureInARow() {
        assertThat(policy.handle(runtimeFailure())).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
        assertThat(policy.handle(runtimeFailure())).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
        assertThat(policy.handle(runtimeFailure())).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
        assertThat(pauses).as("no pause before shutting down").containsExactly(500L, 1_000L);
    }

    @Test
    void shouldCountAgainFromOneOnceABatchHasLabeledSinceTheLastInferenceFailure() {
        policy.handle(runtimeFailure());
        policy.handle(runtimeFailure());
        labelingBatches.incrementAndGet();

        assertThat(policy.handle(runtimeFailure())).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
        assertThat(policy.handle(runtimeFailure())).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
        assertThat(policy.handle(runtimeFailure())).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    }

    @Test
    void shouldNotCountOtherTransientFailuresTowardsTheInferenceBound() {
        Throwable registryDown = new StreamsException(new SchemaRegistryUnavailableException("connection refused", -1, -1, null));
        policy.handle(runtimeFailure());
        for (int i = 0; i < 5; i++) {
            assertThat(policy.handle(registryDown)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
        }
        assertThat(policy.handle(runtimeFailure())).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
        assertThat(policy.handle(runtimeFailure())).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
        assertThat(pauses).containsExactly(500L, 1_000L, 2_000L, 4_000L, 8_000L, 16_000L, 30_000L);
    }

    @Test
    void shouldShutDownTheClientOnAnUnexpectedError() {
        assertThat(policy.handle(new StreamsException(new IllegalStateException("a bug"))))
                .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
        assertThat(pauses).isEmpty();
    }

    @Test
    void shouldRefuseABoundBelowOne() {
        assertThatThrownBy(() -> new StreamsFailurePolicy(labelingBatches::get, 0, pauses::add))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("news.inference.failures-before-shutdown must be at least 1, got 0");
    }
}
