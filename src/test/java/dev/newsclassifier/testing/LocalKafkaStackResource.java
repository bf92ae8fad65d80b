package dev.newsclassifier.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.newsclassifier.local.LocalKafkaStack;
import dev.newsclassifier.local.LocalTopics;
import dev.newsclassifier.local.RegistryKind;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Runs a {@link LocalKafkaStack} (embedded broker, local Schema Registry, the service's topics) for a
 * {@code @QuarkusTest} and points the application at it. Use with
 * {@code @QuarkusTestResource(LocalKafkaStackResource.class)}; topic names and partition counts default to
 * {@link LocalTopics} and can be changed with the init args {@link #RAW_TOPIC}, {@link #RAW_PARTITIONS},
 * {@link #LABELED_TOPIC}, {@link #LABELED_PARTITIONS}, {@link #DEAD_LETTER_TOPIC}, {@link #DEAD_LETTER_PARTITIONS}.
 * The init arg {@link #REGISTRY} {@code = apicurio} runs Apicurio Registry instead of the built-in registry; a test
 * class doing that should also carry {@code @ExtendWith(TestRegistries.ApicurioAvailable.class)}.
 */
public class LocalKafkaStackResource implements QuarkusTestResourceLifecycleManager {

    public static final String RAW_TOPIC = "raw-topic";
    public static final String RAW_PARTITIONS = "raw-partitions";
    public static final String LABELED_TOPIC = "labeled-topic";
    public static final String LABELED_PARTITIONS = "labeled-partitions";
    public static final String DEAD_LETTER_TOPIC = "dead-letter-topic";
    public static final String DEAD_LETTER_PARTITIONS = "dead-letter-partitions";
    /** {@code built-in} (the default) or {@code apicurio}; see {@link RegistryKind}. */
    public static final String REGISTRY = "registry";
    /** Comma-separated names of further topics to create, e.g. a review topic (3 partitions each). */
    public static final String EXTRA_TOPICS = "extra-topics";

    /** Configuration keys this resource sets for the application. */
    public static final String KAFKA_BOOTSTRAP_SERVERS = "kafka.bootstrap.servers";
    public static final String KAFKA_STREAMS_BOOTSTRAP_SERVERS = "quarkus.kafka-streams.bootstrap-servers";
    public static final String REGISTRY_URL = "news.registry.url";

    private Map<String, String> initArgs = Map.of();
    private LocalKafkaStack stack;

    @Override
    public void init(Map<String, String> initArgs) {
        this.initArgs = Map.copyOf(initArgs);
    }

    @Override
    public Map<String, String> start() {
        List<LocalTopics.Topic> topics = new ArrayList<>(List.of(
                topic(RAW_TOPIC, LocalTopics.RAW, RAW_PARTITIONS, LocalTopics.RAW_PARTITIONS,
                        LocalTopics.RAW_MAX_MESSAGE_BYTES),
                topic(LABELED_TOPIC, LocalTopics.LABELED, LABELED_PARTITIONS, LocalTopics.LABELED_PARTITIONS,
                        LocalTopics.OUTPUT_MAX_MESSAGE_BYTES),
                topic(DEAD_LETTER_TOPIC, LocalTopics.DEAD_LETTER, DEAD_LETTER_PARTITIONS,
                        LocalTopics.DEAD_LETTER_PARTITIONS, LocalTopics.OUTPUT_MAX_MESSAGE_BYTES)));
        for (String extra : initArgs.getOrDefault(EXTRA_TOPICS, "").split(",")) {
            if (!extra.isBlank()) {
                topics.add(new LocalTopics.Topic(extra.trim(), 3, false, LocalTopics.OUTPUT_MAX_MESSAGE_BYTES));
            }
        }
        stack = LocalKafkaStack.builder()
                .registry(RegistryKind.fromCliName(initArgs.getOrDefault(REGISTRY, RegistryKind.BUILT_IN.cliName())))
                .onlyTopics(topics)
                .start();
        return Map.of(KAFKA_BOOTSTRAP_SERVERS, stack.bootstrapServers(),
                KAFKA_STREAMS_BOOTSTRAP_SERVERS, stack.bootstrapServers(),
                REGISTRY_URL, stack.registryUrl());
    }

    @Override
    public void stop() {
        if (stack != null) {
            stack.close();
            stack = null;
        }
    }

    /** The running stack, for tests that need to restart the broker or talk to the registry directly. */
    public LocalKafkaStack stack() {
        return stack;
    }

    private LocalTopics.Topic topic(String nameArg, String defaultName, String partitionsArg, int defaultPartitions,
            int maxMessageBytes) {
        String partitions = initArgs.get(partitionsArg);
        try {
            return new LocalTopics.Topic(initArgs.getOrDefault(nameArg, defaultName),
                    partitions == null ? defaultPartitions : Integer.parseInt(partitions), false, maxMessageBytes);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("init arg " + partitionsArg + " must be a number, got " + partitions,
                    e);
        }
    }
}
