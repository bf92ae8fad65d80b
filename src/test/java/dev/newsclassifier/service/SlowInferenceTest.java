package dev.newsclassifier.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.newsclassifier.avro.ClassifiedArticle;
import dev.newsclassifier.registry.SchemaRegistryClient;
import dev.newsclassifier.testing.LocalKafkaStackResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Inference slowed to {@value #DELAY_SECONDS} s per batch, with {@code max.poll.interval.ms} cut to 15 s and
 * {@code max.poll.records} set by the README's rule ("Slow inference and max.poll.interval.ms"): two batches of four
 * per poll, 2 s of work against a 7.5 s budget, and more inference in all than one poll interval. The consumer group
 * must not rebalance, and every article must come out exactly once. {@link SlowBatchRebalanceTest} shows the storm
 * that follows when one batch outlasts the interval.
 */
@QuarkusTest
@TestProfile(SlowInferenceTest.Profile.class)
class SlowInferenceTest {

    static final int DELAY_SECONDS = 1;
    static final int MAX_POLL_INTERVAL_MS = 15_000;
    /** Enough for more inference time in all than one max.poll.interval.ms. */
    private static final int ARTICLES = 80;

    public static final class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.kafka-streams.application-id", "news-classifier-slow-inference-test",
                    "news.topics.raw", "slow.raw", "news.topics.labeled", "slow.labeled",
                    "news.topics.dead-letter", "slow.dead-letter",
                    "news.faults.inference-delay", DELAY_SECONDS + "s",
                    "news.batch.max-size", "4",
                    "kafka-streams.max.poll.interval.ms", Integer.toString(MAX_POLL_INTERVAL_MS),
                    // ceil(8 / 4) batches x 1 s = 2 s between polls, well under half of 15 s.
                    "kafka-streams.max.poll.records", "8");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            // One partition, one task: a processing round holds at most one size batch and one punctuated batch.
            return List.of(new TestResourceEntry(LocalKafkaStackResource.class, Map.of(
                    LocalKafkaStackResource.RAW_TOPIC, "slow.raw",
                    LocalKafkaStackResource.RAW_PARTITIONS, "1",
                    LocalKafkaStackResource.LABELED_TOPIC, "slow.labeled",
                    LocalKafkaStackResource.DEAD_LETTER_TOPIC, "slow.dead-letter")));
        }
    }

    @Inject
    KafkaStreams streams;

    @Inject
    NewsConfig config;

    @Inject
    SchemaRegistryClient registry;

    @Inject
    MeterRegistry meters;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void shouldClassifyEveryArticleOnceWithoutARebalanceWhenInferenceIsSlow() throws Exception {
        ServiceTestSupport.awaitRunning(streams);
        double rebalancesBefore = ServiceTestSupport.rebalances(streams);
        assertThat(rebalancesBefore).as("the group's first join").isGreaterThanOrEqualTo(1);
        ServiceTestSupport.StateSampler sampler = new ServiceTestSupport.StateSampler(streams);
        List<ConsumerRecord<String, ClassifiedArticle>> labeled;
        try {
            ServiceTestSupport.publish(bootstrap, registry, config.topics().raw(),
                    ServiceTestSupport.samples(ARTICLES, "slow"));
            labeled = ServiceTestSupport.readLabeled(bootstrap, registry, config.topics().labeled(), ARTICLES,
                    Duration.ofSeconds(120));
        } finally {
            sampler.close();
        }

        Map<String, Long> countsById = labeled.stream()
                .collect(Collectors.groupingBy(ConsumerRecord::key, Collectors.counting()));
        assertThat(countsById).hasSize(ARTICLES);
        assertThat(countsById.values()).containsOnly(1L);
        Timer inference = meters.find("news.inference.duration").timer();
        assertThat(inference.count()).as("batches").isGreaterThanOrEqualTo(ARTICLES / 4);
        assertThat(inference.max(TimeUnit.MILLISECONDS)).as("the slowest batch, in ms")
                .isGreaterThanOrEqualTo(DELAY_SECONDS * 1000.0);
        assertThat(inference.totalTime(TimeUnit.MILLISECONDS)).as("inference time in all, in ms")
                .isGreaterThan(MAX_POLL_INTERVAL_MS);
        assertThat(ServiceTestSupport.rebalances(streams)).as("rebalances of the group").isEqualTo(rebalancesBefore);
        assertThat(sampler.states()).containsOnly(KafkaStreams.State.RUNNING);
    }
}
