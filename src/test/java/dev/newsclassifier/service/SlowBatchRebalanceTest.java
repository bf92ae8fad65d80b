package dev.newsclassifier.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.newsclassifier.registry.SchemaRegistryClient;
import dev.newsclassifier.testing.LocalKafkaStackResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The wrong setting, for contrast with {@link SlowInferenceTest}: one batch takes longer than
 * {@code max.poll.interval.ms}. Kafka Streams can only return to poll between batches, so the consumer's heartbeat
 * thread leaves the group in the middle of every batch and the stream thread rejoins after it: a rebalance per batch.
 * With more instances each one also moves the partitions and their buffers to another instance and back.
 */
@QuarkusTest
@TestProfile(SlowBatchRebalanceTest.Profile.class)
class SlowBatchRebalanceTest {

    public static final class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.kafka-streams.application-id", "news-classifier-slow-batch-test",
                    "news.topics.raw", "storm.raw", "news.topics.labeled", "storm.labeled",
                    "news.topics.dead-letter", "storm.dead-letter",
                    "news.faults.inference-delay", "6s",
                    "news.batch.max-size", "4",
                    "kafka-streams.max.poll.interval.ms", "4000",
                    "kafka-streams.max.poll.records", "4");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(LocalKafkaStackResource.class, Map.of(
                    LocalKafkaStackResource.RAW_TOPIC, "storm.raw",
                    LocalKafkaStackResource.RAW_PARTITIONS, "1",
                    LocalKafkaStackResource.LABELED_TOPIC, "storm.labeled",
                    LocalKafkaStackResource.DEAD_LETTER_TOPIC, "storm.dead-letter")));
        }
    }

    @Inject
    KafkaStreams streams;

    @Inject
    NewsConfig config;

    @Inject
    SchemaRegistryClient registry;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void shouldRebalanceAgainAndAgainWhenOneBatchOutlastsMaxPollInterval() throws Exception {
        ServiceTestSupport.awaitRunning(streams);
        double rebalancesBefore = ServiceTestSupport.rebalances(streams);
        ServiceTestSupport.StateSampler sampler = new ServiceTestSupport.StateSampler(streams);
        try {
            ServiceTestSupport.publish(bootstrap, registry, config.topics().raw(),
                    ServiceTestSupport.samples(8, "storm"));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (ServiceTestSupport.rebalances(streams) < rebalancesBefore + 2 && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
        } finally {
            sampler.close();
        }

        assertThat(ServiceTestSupport.rebalances(streams)).as("rebalances of the group")
                .isGreaterThanOrEqualTo(rebalancesBefore + 2);
        assertThat(sampler.states()).contains(KafkaStreams.State.REBALANCING);
    }
}
