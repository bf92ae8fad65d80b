package dev.newsclassifier.faults;

import dev.newsclassifier.dataset.LabeledArticle;
import dev.newsclassifier.topology.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;

/**
 * A few articles the model fails on ({@code news.faults.poison-marker}: every model call holding one
 * throws) in a steady stream. The service must isolate each by retrying and bisecting its batch,
 * dead-letter it as {@code INFERENCE_FAILED} with its original key, value and source, label every
 * other article exactly once, count each outcome, and leave no lag on the raw topic. The poison
 * articles all go to one partition, so that the other partitions show what its output would have
 * looked like without them: the difference is how long the poison held it up.
 */
public final class PoisonArticleScenario implements FaultScenario {

    private static final String NAME = "poison-article";
    /** Not a word of any news text, and plain ASCII so that it passes unchanged as a {@code -D} argument. */
    static final String MARKER = "[poison-article]";
    static final int POISONED = 3;
    private static final int PARTITIONS = 3;
    private static final String DEAD_LETTERED = "news_articles_dead_lettered_total";
    private static final String CLASSIFIED = "news_articles_classified_total";
    private static final Duration LAG_TIMEOUT = Duration.ofSeconds(30);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return POISONED + " articles the model fails on, in a stream, all on one partition: each dead-lettered as "
                + DeadLetters.INFERENCE_FAILED + ", every other labeled once, no lag left";
    }

    /** 1000 articles in a full run, 300 in a quick one. */
    private static int articles(FaultRun run) {
        return Math.max(300, run.articles() / 3);
    }

    @Override
    public ScenarioResult run(FaultRun run) {
        List<String> details = FaultRun.details();
        FaultStack.RunTopics topics = run.stack().createTopics(NAME, PARTITIONS);
        Map<String, String> settings = run.serviceSettings(NAME, topics);
        settings.put("news.faults.poison-marker", MARKER);
        int count = articles(run);
        List<Integer> positions = poisonPositions(NAME, count, PARTITIONS);
        Map<String, String> poisonIds = new LinkedHashMap<>();
        for (int i = 0; i < positions.size(); i++) {
            poisonIds.put(ArticleLoad.id(NAME, positions.get(i)), i % 2 == 0 ? "title" : "description");
        }
        try (ServiceProcess service = run.instance(NAME + "-1", settings).start();
                ArticleLoad load = ArticleLoad.of(run.stack(), topics.raw(), NAME,
                        withPoison(run.texts(), count, positions), count);
                DeliveryCheck check = new DeliveryCheck(run.stack(), topics)) {
            load.registerSchema();
            service.awaitReady(FaultRun.READY_TIMEOUT);
            PrometheusSamples before = service.metrics().orElseThrow();
            run.say(details, "%d articles at %.0f/s; the marker in %s, all keyed to partition %d", count, run.rate(),
                    poisonIds, partitionOf(poisonIds.keySet().iterator().next(), PARTITIONS));
            long started = System.nanoTime();
            load.startPaced(run.rate());
            // Read while publishing: a partition's stall shows only in when its labeled records are read.
            while (load.published() < count && System.nanoTime() - started < run.drainTimeout().toNanos()) {
                check.poll();
            }
            load.awaitPublished();
            List<String> clean = load.ids().stream().filter(id -> !poisonIds.containsKey(id)).toList();
            DeliveryCheck.Delivery delivery = check.awaitAll(clean, FaultRun.QUIET, run.drainTimeout(),
                    () -> check.deadLettered() >= POISONED);
            run.say(details, "%5.1f s  %d of %d clean ids labeled, %d dead letters", FaultRun.seconds(started),
                    delivery.inputs() - delivery.lost(), delivery.inputs(), delivery.deadLettered());

            LetterCheck letters = checkDeadLetters(run, details, topics.raw(), poisonIds, check.deadLettersRead());
            reportHoldUp(run, details, letters.partitions(), check.labeledTimes());
            boolean countersMatch = countersMatch(run, details, before, service.metrics().orElseThrow(),
                    count - POISONED);
            long lag = awaitNoLag(run.stack(), NAME, topics.raw());
            boolean ready = service.isReady();
            run.say(details, "lag on %s at the end: %d; the service is %s", topics.raw(), lag,
                    ready ? "ready" : "NOT ready");
            boolean passed = delivery.exactlyOnce() && letters.wrong() == 0 && countersMatch && lag == 0 && ready;
            return new ScenarioResult(NAME, count, delivery.outputs(), delivery.lost() + letters.missing(),
                    delivery.duplicated() + letters.extra(), delivery.deadLettered(), passed, details);
        }
    }

    /**
     * Where the poison articles go: from a quarter, a half and three quarters into the load, each the first
     * article there keyed to the first one's partition. Far apart, no two share a batch, and one alone is never
     * the first batch the service classifies (a lone article that fails before anything was labeled is taken for
     * a failing runtime, not for poison).
     */
    static List<Integer> poisonPositions(String run, int count, int partitions) {
        List<Integer> positions = new ArrayList<>();
        int partition = partitionOf(ArticleLoad.id(run, count / (POISONED + 1)), partitions);
        for (int k = 1; k <= POISONED; k++) {
            int position = count * k / (POISONED + 1);
            while (partitionOf(ArticleLoad.id(run, position), partitions) != partition) {
                position++;
            }
            positions.add(position);
        }
        return positions;
    }

    /** The partition the producer's default partitioner picks for a record keyed {@code id}. */
    static int partitionOf(String id, int partitions) {
        return Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** {@code count} texts taken in turn, with the marker at the start of the title or the end of the description. */
    static List<LabeledArticle> withPoison(List<LabeledArticle> texts, int count, List<Integer> positions) {
        List<LabeledArticle> poisoned = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            LabeledArticle text = texts.get(i % texts.size());
            int which = positions.indexOf(i);
            if (which >= 0) {
                String description = text.description() == null ? "" : text.description();
                text = which % 2 == 0
                        ? new LabeledArticle(text.id(), MARKER + " " + text.title(), description, text.source(),
                                text.label(), text.line())
                        : new LabeledArticle(text.id(), text.title(), description + " " + MARKER, text.source(),
                                text.label(), text.line());
            }
            poisoned.add(text);
        }
        return poisoned;
    }

    /**
     * What the dead letters showed.
     *
     * @param wrong      poison articles without exactly one right dead letter, plus dead letters of anything else
     * @param missing    poison articles with no dead letter
     * @param extra      dead letters beyond one per poison article, and of articles that were not poison
     * @param partitions the source partitions of the poison articles' dead letters
     */
    private record LetterCheck(int wrong, int missing, int extra, Set<Integer> partitions) {
    }

    private static LetterCheck checkDeadLetters(FaultRun run, List<String> details, String rawTopic,
            Map<String, String> poisonIds, List<DeliveryCheck.DeadLetterRead> read) {
        Map<String, List<DeliveryCheck.DeadLetterRead>> byKey = read.stream()
                .collect(Collectors.groupingBy(letter -> String.valueOf(letter.record().key())));
        int wrong = 0;
        int missing = 0;
        int extra = 0;
        Set<Integer> partitions = new TreeSet<>();
        try (KafkaConsumer<byte[], byte[]> raw = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, run.stack().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "poison-check-" + UUID.randomUUID(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            for (Map.Entry<String, String> poison : poisonIds.entrySet()) {
                List<DeliveryCheck.DeadLetterRead> letters = byKey.getOrDefault(poison.getKey(), List.of());
                missing += letters.isEmpty() ? 1 : 0;
                extra += Math.max(0, letters.size() - 1);
                String problem = letters.size() != 1 ? letters.size() + " dead letters"
                        : problem(letters.get(0), poison.getKey(), rawTopic, raw);
                wrong += problem == null ? 0 : 1;
                if (letters.isEmpty()) {
                    run.say(details, "poison %s (marker in its %s): WRONG: no dead letter", poison.getKey(),
                            poison.getValue());
                    continue;
                }
                DeliveryCheck.DeadLetterRead letter = letters.get(0);
                if (letter.header(DeadLetters.SOURCE_PARTITION) != null) {
                    partitions.add(Integer.parseInt(letter.header(DeadLetters.SOURCE_PARTITION)));
                }
                run.say(details, "poison %s (marker in its %s) from %s@%s: %s %s, read %.2f s after it was published",
                        poison.getKey(), poison.getValue(), letter.header(DeadLetters.SOURCE_PARTITION),
                        letter.header(DeadLetters.SOURCE_OFFSET), letter.header(DeadLetters.REASON),
                        problem == null ? "ok" : "WRONG: " + problem, letter.sincePublished().toMillis() / 1e3);
            }
        }
        List<String> others = byKey.keySet().stream().filter(key -> !poisonIds.containsKey(key)).sorted().toList();
        if (!others.isEmpty()) {
            extra += others.stream().mapToInt(key -> byKey.get(key).size()).sum();
            wrong += others.size();
            run.say(details, "WRONG: dead letters of articles without the marker: %s", others);
        }
        return new LetterCheck(wrong, missing, extra, partitions);
    }

    /** Why the dead letter is not its article's input record with reason and source, or null when it is. */
    private static String problem(DeliveryCheck.DeadLetterRead letter, String id, String rawTopic,
            KafkaConsumer<byte[], byte[]> raw) {
        if (!DeadLetters.INFERENCE_FAILED.equals(letter.header(DeadLetters.REASON))) {
            return "reason " + letter.header(DeadLetters.REASON);
        }
        if (!rawTopic.equals(letter.header(DeadLetters.SOURCE_TOPIC))) {
            return "source topic " + letter.header(DeadLetters.SOURCE_TOPIC);
        }
        String partition = letter.header(DeadLetters.SOURCE_PARTITION);
        String offset = letter.header(DeadLetters.SOURCE_OFFSET);
        if (partition == null || offset == null) {
            return "no source partition or offset";
        }
        ConsumerRecord<byte[], byte[]> source = sourceRecord(raw, new TopicPartition(rawTopic,
                Integer.parseInt(partition)), Long.parseLong(offset));
        if (source == null) {
            return "no record at its source " + partition + "@" + offset;
        }
        if (!Arrays.equals(id.getBytes(StandardCharsets.UTF_8), source.key())) {
            return "its source " + partition + "@" + offset + " is another article's record";
        }
        if (!Arrays.equals(source.value(), letter.record().value())) {
            return "the original bytes were not kept";
        }
        return null;
    }

    private static ConsumerRecord<byte[], byte[]> sourceRecord(KafkaConsumer<byte[], byte[]> raw,
            TopicPartition partition, long offset) {
        raw.assign(List.of(partition));
        raw.seek(partition, offset);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> record : raw.poll(Duration.ofMillis(200))) {
                if (record.offset() == offset) {
                    return record;
                }
            }
        }
        return null;
    }

    /**
     * The poisoned partition's output against the clean ones', as a downstream {@code read_committed} consumer
     * saw it. The clean partitions' largest gap is what the commit interval and the check's polling alone give.
     */
    private static void reportHoldUp(FaultRun run, List<String> details, Set<Integer> poisoned,
            Map<Integer, DeliveryCheck.OutputTimes> times) {
        Duration poisonedGap = Duration.ZERO;
        Duration poisonedLatency = Duration.ZERO;
        Duration cleanGap = Duration.ZERO;
        Duration cleanLatency = Duration.ZERO;
        for (Map.Entry<Integer, DeliveryCheck.OutputTimes> partition : times.entrySet()) {
            DeliveryCheck.OutputTimes time = partition.getValue();
            if (poisoned.contains(partition.getKey())) {
                poisonedGap = max(poisonedGap, time.largestGap());
                poisonedLatency = max(poisonedLatency, time.largestLatency());
            } else {
                cleanGap = max(cleanGap, time.largestGap());
                cleanLatency = max(cleanLatency, time.largestLatency());
            }
        }
        run.say(details, "hold-up: labeled output of poisoned partition %s stopped for at most %.2f s (clean "
                + "partitions: %.2f s); its slowest article took %.2f s from publishing to being read (clean: %.2f s)",
                poisoned, poisonedGap.toMillis() / 1e3, cleanGap.toMillis() / 1e3, poisonedLatency.toMillis() / 1e3,
                cleanLatency.toMillis() / 1e3);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static boolean countersMatch(FaultRun run, List<String> details, PrometheusSamples before,
            PrometheusSamples after, int clean) {
        Map<String, String> inferenceFailed = Map.of("reason", DeadLetters.INFERENCE_FAILED);
        double failed = after.sum(DEAD_LETTERED, inferenceFailed) - before.sum(DEAD_LETTERED, inferenceFailed);
        double deadLettered = after.sum(DEAD_LETTERED) - before.sum(DEAD_LETTERED);
        double classified = after.sum(CLASSIFIED) - before.sum(CLASSIFIED);
        boolean match = failed == POISONED && deadLettered == POISONED && classified == clean;
        run.say(details, "counters: dead-lettered %s +%.0f (+%.0f of every reason), classified +%.0f: %s; "
                + "retries %.0f, splits %.0f, runtime failures %.0f", DeadLetters.INFERENCE_FAILED, failed,
                deadLettered, classified, match ? "as sent" : "DIFFERENT from +" + POISONED + " and +" + clean,
                after.sum("news_inference_retries_total"), after.sum("news_inference_splits_total"),
                after.sum("news_inference_runtime_failures_total"));
        return match;
    }

    /** The group's lag on the raw topic once it is zero, or as it is after {@link #LAG_TIMEOUT}. */
    private static long awaitNoLag(FaultStack stack, String groupId, String topic) {
        long deadline = System.nanoTime() + LAG_TIMEOUT.toNanos();
        long lag = stack.lag(groupId, topic);
        while (lag > 0 && System.nanoTime() < deadline) {
            ServiceProcess.sleep(500);
            lag = stack.lag(groupId, topic);
        }
        return lag;
    }
}
