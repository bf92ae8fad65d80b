package dev.newsclassifier.faults;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a run's labeled and dead-letter topics from the beginning as a downstream consumer would,
 * with {@code read_committed}, and accounts for every published id: seen once, lost, or seen more
 * than once. It keeps reading while results still arrive, so a late duplicate is caught too. It also
 * notes when it read each partition's labeled records, and keeps every dead letter, so a scenario
 * can tell how long a partition's output stalled.
 */
public final class DeliveryCheck implements AutoCloseable {

    private static final Duration DRAIN_AT_MOST = Duration.ofSeconds(3);

    private final KafkaConsumer<String, byte[]> labeled;
    private final KafkaConsumer<String, byte[]> deadLetters;
    private final Set<Integer> partitions;
    private final Map<String, Integer> countsById = new HashMap<>();
    private final Map<Integer, PartitionTimes> labeledTimes = new TreeMap<>();
    private final List<DeadLetterRead> deadLettersRead = new ArrayList<>();
    private long outputs;
    private long lastArrivalNanos = System.nanoTime();

    public DeliveryCheck(FaultStack stack, FaultStack.RunTopics topics) {
        this.labeled = consumer(stack, topics.labeled());
        this.deadLetters = consumer(stack, topics.deadLetter());
        this.partitions = labeled.assignment().stream().map(TopicPartition::partition).collect(Collectors.toSet());
    }

    private static KafkaConsumer<String, byte[]> consumer(FaultStack stack, String topic) {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "delivery-check-" + UUID.randomUUID(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    /** Reads what is committed so far. */
    public synchronized void poll() {
        ConsumerRecords<String, byte[]> labeledRecords = labeled.poll(Duration.ofMillis(200));
        long readAt = System.currentTimeMillis();
        for (ConsumerRecord<String, byte[]> record : labeledRecords) {
            countsById.merge(record.key(), 1, Integer::sum);
            outputs++;
            lastArrivalNanos = System.nanoTime();
            labeledTimes.computeIfAbsent(record.partition(), partition -> new PartitionTimes())
                    .read(record.timestamp(), readAt);
        }
        ConsumerRecords<String, byte[]> dead = deadLetters.poll(Duration.ofMillis(50));
        readAt = System.currentTimeMillis();
        for (ConsumerRecord<String, byte[]> record : dead) {
            deadLettersRead.add(new DeadLetterRead(record, readAt));
            lastArrivalNanos = System.nanoTime();
        }
    }

    /**
     * Polls until a poll brings no labeled record, so that everything committed so far has been read; for a few
     * seconds at most, since another instance that keeps labeling would keep every poll busy.
     */
    public void drainCommitted() {
        long deadline = System.nanoTime() + DRAIN_AT_MOST.toNanos();
        long before;
        do {
            before = outputs();
            poll();
        } while (outputs() > before && System.nanoTime() < deadline);
    }

    /**
     * Reads until every partition of the labeled topic has brought a record read at or after {@code since} (epoch
     * milliseconds); how long after {@code since} the last of them came, or empty if one had not within the timeout.
     */
    public Optional<Duration> awaitOutputOnEveryPartition(long since, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<Integer, Long> firstReadSince = new HashMap<>();
        while (System.nanoTime() < deadline) {
            poll();
            synchronized (this) {
                labeledTimes.forEach((partition, times) -> {
                    if (times.lastReadAt >= since) {
                        firstReadSince.putIfAbsent(partition, times.lastReadAt);
                    }
                });
                if (firstReadSince.keySet().containsAll(partitions)) {
                    return Optional.of(Duration.ofMillis(Collections.max(firstReadSince.values()) - since));
                }
            }
        }
        return Optional.empty();
    }

    /** Labeled records read so far. */
    public synchronized long outputs() {
        return outputs;
    }

    /** Reads until every expected id has come out and nothing new arrived for {@code quiet}, or until the timeout. */
    public Delivery awaitAll(Collection<String> expected, Duration quiet, Duration timeout) {
        return awaitAll(expected, quiet, timeout, () -> true);
    }

    /**
     * As {@link #awaitAll(Collection, Duration, Duration)}, also waiting for {@code more} (e.g. the
     * expected dead letters) before the quiet period counts.
     */
    public Delivery awaitAll(Collection<String> expected, Duration quiet, Duration timeout, BooleanSupplier more) {
        Set<String> wanted = Set.copyOf(expected);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            poll();
            boolean complete;
            synchronized (this) {
                complete = countsById.keySet().containsAll(wanted) && more.getAsBoolean()
                        && System.nanoTime() - lastArrivalNanos > quiet.toNanos();
            }
            if (complete) {
                break;
            }
        }
        return delivery(wanted);
    }

    public synchronized long deadLettered() {
        return deadLettersRead.size();
    }

    /** Every dead letter read so far, in the order read. */
    public synchronized List<DeadLetterRead> deadLettersRead() {
        return List.copyOf(deadLettersRead);
    }

    /** Per partition of the labeled topic, by partition number, how its records were read so far. */
    public synchronized Map<Integer, OutputTimes> labeledTimes() {
        Map<Integer, OutputTimes> times = new TreeMap<>();
        labeledTimes.forEach((partition, read) -> times.put(partition, new OutputTimes(
                Duration.ofMillis(read.largestGap), Duration.ofMillis(read.largestLatency))));
        return times;
    }

    private synchronized Delivery delivery(Set<String> wanted) {
        long lost = wanted.stream().filter(id -> !countsById.containsKey(id)).count();
        long duplicated = countsById.values().stream().mapToLong(count -> count - 1).sum();
        long unexpected = countsById.keySet().stream().filter(id -> !wanted.contains(id)).count();
        return new Delivery(wanted.size(), outputs, lost, duplicated, unexpected, deadLettersRead.size());
    }

    @Override
    public void close() {
        labeled.close();
        deadLetters.close();
    }

    /** Running maxima rather than every reading, so that a long soak costs this check nothing. */
    private static final class PartitionTimes {
        private long lastReadAt = -1;
        private long largestGap;
        private long largestLatency;

        void read(long publishedAt, long readAt) {
            if (lastReadAt >= 0) {
                largestGap = Math.max(largestGap, readAt - lastReadAt);
            }
            lastReadAt = readAt;
            largestLatency = Math.max(largestLatency, readAt - publishedAt);
        }
    }

    /**
     * How one partition's labeled records reached this check. Read times are this check's clock; the service
     * forwards each article with its input record's timestamp, which the producer of this JVM set when publishing.
     *
     * @param largestGap     the longest time between two reads that brought records of the partition
     * @param largestLatency the longest time from publishing an article to reading its labeled record
     */
    public record OutputTimes(Duration largestGap, Duration largestLatency) {
    }

    /** A dead letter and when this check read it (epoch milliseconds). */
    public record DeadLetterRead(ConsumerRecord<String, byte[]> record, long readAt) {

        /** A header as a UTF-8 string; null when the record has none of that name. */
        public String header(String key) {
            Header header = record.headers().lastHeader(key);
            return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
        }

        /** From publishing the dead-lettered article (the record's timestamp) to reading its dead letter. */
        public Duration sincePublished() {
            return Duration.ofMillis(readAt - record.timestamp());
        }
    }

    /**
     * What came out of a run.
     *
     * @param inputs     articles published
     * @param outputs    labeled records read
     * @param lost       published ids with no labeled record
     * @param duplicated labeled records beyond the first for an id
     * @param unexpected ids that were never published
     */
    public record Delivery(long inputs, long outputs, long lost, long duplicated, long unexpected, long deadLettered) {

        public boolean exactlyOnce() {
            return lost == 0 && duplicated == 0 && unexpected == 0;
        }
    }
}
