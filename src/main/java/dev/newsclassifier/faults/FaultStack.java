package dev.newsclassifier.faults;

import dev.newsclassifier.local.EmbeddedKafkaBroker;
import dev.newsclassifier.local.LocalKafkaStack;
import dev.newsclassifier.local.LocalTopics;
import dev.newsclassifier.local.RegistryKind;
import dev.newsclassifier.local.SchemaRegistryServer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The broker and registry the service processes talk to, in this JVM, with the controls a fault
 * run needs: stop and start either of them on the same address, break the link to the broker (a proxy in front of a
 * second broker listener), create a run's own topics, and look at a consumer group's members and lag.
 */
public final class FaultStack implements AutoCloseable {

    private final LocalKafkaStack stack;
    private final LinkProxy link;
    private final Admin admin;
    private final String registryUrl;

    private FaultStack(LocalKafkaStack stack, LinkProxy link) {
        this.stack = stack;
        this.link = link.forwardTo(stack.broker().proxiedListenerPort());
        this.registryUrl = stack.registry().url();
        this.admin = Admin.create(stack.broker().adminConfig());
    }

    /** A broker with no service topics yet, and the built-in registry; see {@link #start(RegistryKind)}. */
    public static FaultStack start() {
        return start(RegistryKind.BUILT_IN);
    }

    /** A broker with no service topics yet, and a registry whose URL stays the same across restarts. */
    public static FaultStack start(RegistryKind registry) {
        LinkProxy link = LinkProxy.bind();
        try {
            return new FaultStack(LocalKafkaStack.builder().onlyTopics(List.of()).registry(registry)
                    .registryPort(ServiceProcess.freePort()).brokerProxiedAt(link.port()).start(), link);
        } catch (RuntimeException e) {
            link.close();
            throw e;
        }
    }

    public String bootstrapServers() {
        return stack.bootstrapServers();
    }

    /** The broker's address through {@link #link()}: clients that bootstrap here open every connection through it. */
    public String proxiedBootstrapServers() {
        return "127.0.0.1:" + link.port();
    }

    /** The proxy between the broker and the clients of {@link #proxiedBootstrapServers()}. */
    public LinkProxy link() {
        return link;
    }

    /** The registry's URL, also while it is stopped. */
    public String registryUrl() {
        return registryUrl;
    }

    public EmbeddedKafkaBroker broker() {
        return stack.broker();
    }

    public SchemaRegistryServer registry() {
        return stack.registry();
    }

    /** Closes the registry's port; it keeps its schemas for {@link #startRegistry()}. */
    public void stopRegistry() {
        stack.registry().stop();
    }

    /** Serves the registry again on the same port. */
    public void startRegistry() {
        stack.registry().start();
    }

    public boolean registryDown() {
        return !stack.registry().isRunning();
    }

    /** The raw, labeled and dead-letter topics of one run, named after it. */
    public RunTopics createTopics(String run, int rawPartitions) {
        RunTopics topics = new RunTopics(run + ".raw", run + ".labeled", run + ".dead-letter");
        // The sizes the service is shipped for, so the 1 MiB and oversized bad-input records travel as in production.
        stack.broker().createTopics(List.of(
                new LocalTopics.Topic(topics.raw(), rawPartitions, false, LocalTopics.RAW_MAX_MESSAGE_BYTES),
                new LocalTopics.Topic(topics.labeled(), rawPartitions, false, LocalTopics.OUTPUT_MAX_MESSAGE_BYTES),
                new LocalTopics.Topic(topics.deadLetter(), 1, false, LocalTopics.OUTPUT_MAX_MESSAGE_BYTES))
                .stream().map(LocalTopics.Topic::toNewTopic).toList());
        return topics;
    }

    /** The input partitions each member of the group holds, by client id, sorted. */
    public Map<String, List<Integer>> assignments(String groupId, String topic) {
        ConsumerGroupDescription group = await(admin.describeConsumerGroups(List.of(groupId)).all()).get(groupId);
        Map<String, List<Integer>> byClient = new TreeMap<>();
        for (MemberDescription member : group.members()) {
            List<Integer> partitions = member.assignment().topicPartitions().stream()
                    .filter(tp -> tp.topic().equals(topic)).map(TopicPartition::partition).sorted().toList();
            byClient.put(member.clientId(), partitions);
        }
        return byClient;
    }

    /** Records of the topic not yet committed by the group, summed over partitions. */
    public long lag(String groupId, String topic) {
        Map<TopicPartition, OffsetAndMetadata> committed = await(
                admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata());
        Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
        await(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic).partitions()
                .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = await(admin.listOffsets(latest).all());
        long lag = 0;
        for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end : ends.entrySet()) {
            OffsetAndMetadata done = committed.get(end.getKey());
            lag += end.getValue().offset() - (done == null ? 0 : done.offset());
        }
        return lag;
    }

    @Override
    public void close() {
        try {
            admin.close();
            link.close();
        } finally {
            stack.close();
        }
    }

    private static <T> T await(org.apache.kafka.common.KafkaFuture<T> future) {
        try {
            return future.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the broker did not answer within 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** A run's topics. */
    public record RunTopics(String raw, String labeled, String deadLetter) {
    }
}
