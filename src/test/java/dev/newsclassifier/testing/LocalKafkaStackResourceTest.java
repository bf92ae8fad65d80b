package dev.newsclassifier.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;

import dev.newsclassifier.avro.NewsArticle;
import dev.newsclassifier.local.LocalTopics;
import dev.newsclassifier.registry.SchemaRegistryClient;

class LocalKafkaStackResourceTest {

    @Test
    void shouldStartStackCreateTopicsAndPointTheServiceAtIt() throws Exception {
        LocalKafkaStackResource resource = new LocalKafkaStackResource();
        resource.init(Map.of(LocalKafkaStackResource.DEAD_LETTER_TOPIC, "custom.dlq",
                LocalKafkaStackResource.DEAD_LETTER_PARTITIONS, "2"));
        try {
            Map<String, String> config = resource.start();

            String bootstrap = resource.stack().bootstrapServers();
            assertThat(config).containsOnly(
                    Map.entry("kafka.bootstrap.servers", bootstrap),
                    Map.entry("quarkus.kafka-streams.bootstrap-servers", bootstrap),
                    Map.entry("news.registry.url", resource.stack().registryUrl()));
            try (Admin admin = Admin.create(resource.stack().broker().adminConfig())) {
                Map<String, Integer> partitions = admin
                        .describeTopics(Set.of(LocalTopics.RAW, LocalTopics.LABELED, "custom.dlq"))
                        .allTopicNames().get().values().stream()
                        .collect(Collectors.toMap(TopicDescription::name, d -> d.partitions().size()));
                assertThat(partitions).containsExactlyInAnyOrderEntriesOf(Map.of(
                        LocalTopics.RAW, 3, LocalTopics.LABELED, 3, "custom.dlq", 2));
                assertThat(admin.listTopics().names().get()).doesNotContain(LocalTopics.DEAD_LETTER);
            }
            SchemaRegistryClient client = SchemaRegistryClient.create(config.get("news.registry.url"));
            int id = client.register(LocalTopics.RAW + "-value", NewsArticle.getClassSchema());
            assertThat(client.schemaById(id)).isEqualTo(NewsArticle.getClassSchema());
        } finally {
            resource.stop();
        }
        assertThat(resource.stack()).isNull();
    }
}
