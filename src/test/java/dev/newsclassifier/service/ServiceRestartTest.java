package dev.newsclassifier.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.newsclassifier.avro.ClassifiedArticle;
import dev.newsclassifier.inference.ModelSlot;
import dev.newsclassifier.inference.SwappableClassifier;
import dev.newsclassifier.registry.SchemaRegistryClient;
import dev.newsclassifier.testing.LocalKafkaStackResource;
import dev.newsclassifier.topology.InferenceHealth;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Stops the running service in the middle of a run (the first results out, batches still
 * buffered), publishes more while it is down, and starts it again: every article comes out
 * exactly once. Killing the process outright is
 * the fault suite's job.
 */
@QuarkusTest
@TestProfile(ServiceRestartTest.Profile.class)
class ServiceRestartTest {

    private static final String INSTANCE_ID = "restart-test-instance";

    public static final class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.kafka-streams.application-id", "news-classifier-restart-test",
                    "news.topics.raw", "restart.raw", "news.topics.labeled", "restart.labeled",
                    "news.topics.dead-letter", "restart.dead-letter",
                    // Slow batches keep articles buffered when the service stops.
                    "news.batch.max-size", "64", "news.batch.max-delay", "400ms",
                    "news.instance.id", INSTANCE_ID);
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(LocalKafkaStackResource.class, Map.of(
                    LocalKafkaStackResource.RAW_TOPIC, "restart.raw",
                    LocalKafkaStackResource.LABELED_TOPIC, "restart.labeled",
                    LocalKafkaStackResource.DEAD_LETTER_TOPIC, "restart.dead-letter")));
        }
    }

    @Inject
    KafkaStreams service;

    @Inject
    StreamsConfig streamsConfig;

    @Inject
    TopologyProducer topologies;

    @Inject
    NewsConfig config;

    @Inject
    SwappableClassifier classifier;

    @Inject
    SchemaRegistryClient registry;

    @Inject
    ArticleSerdes serdes;

    @Inject
    MeterRegistry meters;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void shouldStillEmitEachArticleExactlyOnceAfterAStopAndRestartMidRun() throws Exception {
        List<ServiceTestSupport.Sample> samples = ServiceTestSupport.samples(500, "restart");
        ServiceTestSupport.publish(bootstrap, registry, config.topics().raw(), samples.subList(0, 250));
        List<ConsumerRecord<String, ClassifiedArticle>> before = ServiceTestSupport.readLabeled(bootstrap, registry,
                config.topics().labeled(), 1, Duration.ofSeconds(60));
        assertThat(before).as("results before the stop").isNotEmpty();
        // Static membership: Kafka Streams names each thread's consumer after the instance.
        assertThat(groupInstanceIds()).containsExactly(INSTANCE_ID + "-1");
        String clientIdBefore = clientId(service);

        service.close(Duration.ofSeconds(30));
        ServiceTestSupport.publish(bootstrap, registry, config.topics().raw(), samples.subList(250, 500));
        try (KafkaStreams restarted = new KafkaStreams(
                topologies.topology(config, classifier, ModelSlot.empty(), registry, serdes, meters, new InferenceHealth(),
                        Optional.empty()),
                streamsConfig)) {
            restarted.start();
            ServiceTestSupport.awaitRunning(restarted);
            // The client id holds the process id, which a persistent buffer store keeps in the state directory:
            // the restarted instance has its predecessor's transactional ids, so it fences it at once.
            assertThat(clientId(restarted)).isEqualTo(clientIdBefore);
            List<ConsumerRecord<String, ClassifiedArticle>> all = ServiceTestSupport.readLabeled(bootstrap, registry,
                    config.topics().labeled(), 500, Duration.ofSeconds(120));

            Map<String, Long> countsById = all.stream()
                    .collect(Collectors.groupingBy(ConsumerRecord::key, Collectors.counting()));
            assertThat(countsById).hasSize(500);
            assertThat(countsById.values()).containsOnly(1L);
        }
    }

    private static String clientId(KafkaStreams streams) {
        return streams.metadataForLocalThreads().iterator().next().consumerClientId();
    }

    private List<String> groupInstanceIds() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            String group = streamsConfig.getString(StreamsConfig.APPLICATION_ID_CONFIG);
            return admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get().members().stream()
                    .map(member -> member.groupInstanceId().orElse("(dynamic)")).toList();
        }
    }
}
