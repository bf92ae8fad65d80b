package dev.newsclassifier.local;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The service's topics as the local stack creates them. Keep these names in line with {@code application.properties};
 * this is the one place the local stack and tests take them from.
 */
public final class LocalTopics {

    /** Raw articles in, keyed by article id. */
    public static final String RAW = "news.raw";
    public static final int RAW_PARTITIONS = 3;
    /** Classified articles out; as many partitions as the input so that keys stay on the same partition number. */
    public static final String LABELED = "news.labeled";
    public static final int LABELED_PARTITIONS = 3;
    /** Records that could not be decoded or classified, with the reason in a header. */
    public static final String DEAD_LETTER = "news.dead-letter";
    public static final int DEAD_LETTER_PARTITIONS = 1;
    /**
     * Largest record the raw topic accepts (3 MiB): above the service's {@code news.validation.max-record-bytes}
     * (2 MiB), so that a record just over that limit reaches the service and is dead-lettered as too large.
     */
    public static final int RAW_MAX_MESSAGE_BYTES = 3 * 1024 * 1024;
    /**
     * Largest record the topics the service writes accept (4 MiB), as its producer's {@code max.request.size}: a
     * dead letter is a raw record plus a few headers, and a labeled article is its input plus the label and scores.
     */
    public static final int OUTPUT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

    private LocalTopics() {
    }

    /** A topic to create: name, partition count, whether it is log-compacted, and its {@code max.message.bytes}. */
    public record Topic(String name, int partitions, boolean compacted, int maxMessageBytes) {

        /** A topic with the broker's default {@code max.message.bytes} (about 1 MB). */
        public Topic(String name, int partitions, boolean compacted) {
            this(name, partitions, compacted, 0);
        }

        public Topic {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("topic name must not be blank");
            }
            if (partitions < 1) {
                throw new IllegalArgumentException("topic " + name + " needs at least one partition");
            }
            if (maxMessageBytes < 0) {
                throw new IllegalArgumentException("topic " + name + " max.message.bytes must not be negative");
            }
        }

        /** The topic for an admin client, with replication factor 1: a single local broker. */
        public NewTopic toNewTopic() {
            Map<String, String> configs = new LinkedHashMap<>();
            if (compacted) {
                configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
            }
            if (maxMessageBytes > 0) {
                configs.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(maxMessageBytes));
            }
            return new NewTopic(name, partitions, (short) 1).configs(configs);
        }
    }

    /** The raw, labeled and dead-letter topics with their default partition counts and record size limits. */
    public static List<Topic> defaults() {
        return List.of(new Topic(RAW, RAW_PARTITIONS, false, RAW_MAX_MESSAGE_BYTES),
                new Topic(LABELED, LABELED_PARTITIONS, false, OUTPUT_MAX_MESSAGE_BYTES),
                new Topic(DEAD_LETTER, DEAD_LETTER_PARTITIONS, false, OUTPUT_MAX_MESSAGE_BYTES));
    }
}
