package dev.newsclassifier.cli;

import dev.newsclassifier.registry.SchemaRegistryClient;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import picocli.CommandLine.Option;

/** Where the Kafka tools find the cluster and the schema registry; shared by every tool as a picocli mixin. */
final class KafkaOptions {

    @Option(names = {"-b", "--bootstrap-servers"}, paramLabel = "HOST:PORT[,...]",
            defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS:-localhost:9092}",
            description = "Kafka bootstrap servers (default: env KAFKA_BOOTSTRAP_SERVERS, else ${DEFAULT-VALUE})")
    String bootstrapServers;

    @Option(names = {"-r", "--registry-url"}, paramLabel = "URL[,...]",
            defaultValue = "${env:NEWS_REGISTRY_URL:-http://localhost:8081}",
            description = "Schema registry URL(s) (default: env NEWS_REGISTRY_URL, else ${DEFAULT-VALUE})")
    String registryUrl;

    @Option(names = "--registry-user-info", paramLabel = "USER:PASSWORD",
            defaultValue = "${env:NEWS_REGISTRY_BASIC_AUTH_USER_INFO}",
            description = "Basic auth for the registry (default: env NEWS_REGISTRY_BASIC_AUTH_USER_INFO)")
    String registryUserInfo;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
            description = "Extra Kafka client setting, e.g. security.protocol=SSL (repeatable)")
    Map<String, String> kafkaProperties = new HashMap<>();

    SchemaRegistryClient registry() {
        SchemaRegistryClient.Builder builder = SchemaRegistryClient.builder(registryUrl);
        if (registryUserInfo != null && !registryUserInfo.isBlank()) {
            builder.basicAuth(registryUserInfo);
        }
        return builder.build();
    }

    Map<String, Object> producerProps(boolean fast) {
        Map<String, Object> props = common();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, fast ? 10 : 0);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "news-classifier-tools");
        // Fail within seconds, not a minute, when the cluster is unreachable.
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        props.putAll(kafkaProperties);
        return props;
    }

    /** A consumer with no group: the tools assign partitions themselves and commit nothing. */
    Map<String, Object> consumerProps() {
        Map<String, Object> props = common();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "news-classifier-tools");
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        props.putAll(kafkaProperties);
        return props;
    }

    private Map<String, Object> common() {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return props;
    }
}
