package dev.newsclassifier.faults;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a run's labeled and dead-letter topics from the beginning as a downstream consumer would,
 * with {@code read_committed}, and accounts for every published id: seen once, lost, or seen more
 * than once. It keeps reading while results still arrive, so a late duplicate is caught too.
 */
public final class DeliveryCheck implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> labeled;
    private final KafkaConsumer<String, byte[]> deadLetters;
    private final Map<String, Integer> countsById = new HashMap<>();
    private long outputs;
    private long deadLettered;
    private long lastArrivalNanos = System.nanoTime();

    public DeliveryCheck(FaultStack stack, FaultStack.RunTopics topics) {
        this.labeled = consumer(stack, topics.labeled());
        this.deadLetters = consumer(stack, topics.deadLetter());
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
        for (ConsumerRecord<String, byte[]> record : labeled.poll(Duration.ofMillis(200))) {
            countsById.merge(record.key(), 1, Integer::sum);
            outputs++;
            lastArrivalNanos = System.nanoTime();
        }
        int dead = deadLetters.poll(Duration.ofMillis(50)).count();
        if (dead > 0) {
            deadLettered += dead;
            lastArrivalNanos = System.nanoTime();
        }
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
        return deadLettered;
    }

    private synchronized Delivery delivery(Set<String> wanted) {
        long lost = wanted.stream().filter(id -> !countsById.containsKey(id)).count();
        long duplicated = countsById.values().stream().mapToLong(count -> count - 1).sum();
        long unexpected = countsById.keySet().stream().filter(id -> !wanted.contains(id)).count();
        return new Delivery(wanted.size(), outputs, lost, duplicated, unexpected, deadLettered);
    }

    @Override
    public void close() {
        labeled.close();
        deadLetters.close();
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
