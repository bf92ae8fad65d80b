package dev.newsclassifier.local;

import java.util.List;

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

    private LocalTopics() {
    }

    /** A topic to create: name, partition count, and whether it is log-compacted. */
    public record Topic(String name, int partitions, boolean compacted) {
        public Topic {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("topic name must not be blank");
            }
            if (partitions < 1) {
                throw new IllegalArgumentException("topic " + name + " needs at least one partition");
            }
        }
    }

    /** The raw, labeled and dead-letter topics with their default partition counts. */
    public static List<Topic> defaults() {
        return List.of(new Topic(RAW, RAW_PARTITIONS, false),
                new Topic(LABELED, LABELED_PARTITIONS, false),
                new Topic(DEAD_LETTER, DEAD_LETTER_PARTITIONS, false));
    }
}
