package dev.newsclassifier.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.newsclassifier.avro.ClassifiedArticle;
import dev.newsclassifier.inference.ModelConfig;
import dev.newsclassifier.modelops.ModelAdminRoutes;
import dev.newsclassifier.registry.SchemaRegistryClient;
import dev.newsclassifier.serde.ConfluentAvroDeserializer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The model is swapped twice while articles stream through ({@code POST /admin/model}), with a broken model and a
 * request without the token in between. Every id must be labeled exactly once, each by one of the three versions,
 * in swap order on every partition (no article of an older model after one of a newer), each swapped-in model must
 * label articles, the broken one must be refused while the old one keeps serving, and no gap in the labeled output
 * around a swap may exceed two batches: twice the batch's max delay, a commit interval and the slowest batch's
 * inference time.
 */
public final class ModelSwapScenario implements FaultScenario {

    private static final String NAME = "model-swap";
    /** Publishing time before the first swap, between two steps and after the last. */
    private static final Duration STEP = Duration.ofSeconds(8);
    private static final Duration SWAP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration MAX_DELAY = Duration.ofMillis(100);
    /** Kafka Streams' commit interval under exactly-once: a commit can hold the stream thread between two batches. */
    private static final Duration COMMIT_INTERVAL = Duration.ofMillis(100);

    private final ObjectMapper json = new ObjectMapper();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "swap the model twice under load over /admin/model, with a broken model and a request without the "
                + "token in between; each article labeled once, by one model, with no gap longer than two batches";
    }

    @Override
    public ScenarioResult run(FaultRun run) {
        List<String> details = FaultRun.details();
        FaultStack.RunTopics topics = run.stack().createTopics(NAME, 3);
        Path root = run.workDir().resolve(NAME + "-models");
        ModelConfig startUp = ModelConfig.read(run.modelDir().resolve(ModelConfig.FILE_NAME));
        String second = startUp.version() + "-swap-1";
        String third = startUp.version() + "-swap-2";
        ModelFolders.copyAsVersion(run.modelDir(), root.resolve("second"), second);
        ModelFolders.copyAsVersion(run.modelDir(), root.resolve("third"), third);
        ModelFolders.corrupt(run.modelDir(), root.resolve("broken"));
        String token = UUID.randomUUID().toString();
        Map<String, String> settings = run.serviceSettings(NAME, topics);
        settings.put("news.model.root", root.toAbsolutePath().toString());
        settings.put("news.admin.token", token);
        settings.put("news.batch.max-delay", MAX_DELAY.toMillis() + "ms");
        // The swaps, not the volume, are under test: articles arrive from before the first to after the last.
        int articles = (int) Math.ceil(5 * STEP.toSeconds() * run.rate());
        List<Swap> swaps = new ArrayList<>();
        try (ServiceProcess service = run.instance(NAME + "-1", settings).start();
                ArticleLoad load = ArticleLoad.of(run.stack(), topics.raw(), NAME, run.texts(), articles);
                DeliveryCheck check = new DeliveryCheck(run.stack(), topics)) {
            load.registerSchema();
            service.awaitReady(FaultRun.READY_TIMEOUT);
            run.say(details, "ready with %s %s; publishing %d articles at %.0f/s", startUp.name(), startUp.version(),
                    articles, run.rate());
            long started = System.nanoTime();
            load.startPaced(run.rate());
            pollFor(check, STEP);
            swaps.add(swap(run, details, service, started, "second", token, 200));
            pollFor(check, STEP);
            int unauthorized = swap(run, details, service, started, "third", null, 401).status();
            swaps.add(swap(run, details, service, started, "broken", token, 422));
            pollFor(check, STEP);
            swaps.add(swap(run, details, service, started, "third", token, 200));
            load.awaitPublished();
            DeliveryCheck.Delivery delivery = check.awaitAll(load.ids(), FaultRun.QUIET, run.drainTimeout());

            Labeled labeled = readLabeled(run, topics);
            boolean inOrder = labeled.versionsInOrder(List.of(startUp.version(), second, third));
            Map<String, Long> byVersion = labeled.countsByVersion();
            run.say(details, "%5.1f s  labeled by version: %s; on every partition in swap order: %s",
                    FaultRun.seconds(started), byVersion, inOrder ? "yes" : "NO");
            double slowestBatch = service.metrics().map(m -> m.sum("news_inference_duration_seconds_max")).orElse(0.0);
            // A batch, as output sees it: its wait (max-delay), a commit that may come before it, and its inference.
            Duration limit = Duration.ofMillis(2 * (MAX_DELAY.toMillis() + COMMIT_INTERVAL.toMillis()
                    + (long) (slowestBatch * 1000)));
            boolean gapsOk = true;
            for (Swap swap : swaps) {
                Duration gap = labeled.largestGap(swap.sentAt(), swap.answeredAt());
                boolean ok = gap.compareTo(limit) <= 0;
                gapsOk &= ok;
                run.say(details, "swap to %s: largest gap in labeled output %d ms (limit %d ms): %s", swap.dir(),
                        gap.toMillis(), limit.toMillis(), ok ? "ok" : "TOO LONG");
            }
            Map<String, Double> outcomes = service.metrics()
                    .map(m -> m.byLabel("news_model_swaps_total", "outcome")).orElse(Map.of());
            boolean counted = outcomes.getOrDefault("swapped", 0.0) == 2 && outcomes.getOrDefault("refused", 0.0) == 1;
            run.say(details, "news_model_swaps_total %s: %s", outcomes, counted ? "ok" : "WRONG");
            boolean answered = unauthorized == 401 && swaps.stream().allMatch(Swap::asExpected);
            boolean eachServed = byVersion.getOrDefault(second, 0L) > 0 && byVersion.getOrDefault(third, 0L) > 0;
            boolean survived = service.isAlive() && service.isReady();
            return ScenarioResult.of(NAME, delivery, answered && inOrder && eachServed && gapsOk && counted && survived,
                    details);
        }
    }

    /** One request to swap: when it was sent and answered (epoch ms), and whether the status was the expected one. */
    private record Swap(String dir, long sentAt, long answeredAt, int status, boolean asExpected) {
    }

    private Swap swap(FaultRun run, List<String> details, ServiceProcess service, long started, String dir,
            String token, int expected) {
        long sentAt = System.currentTimeMillis();
        Optional<HttpResponse<String>> response = service.postJson(ModelAdminRoutes.PATH, "{\"dir\": \"" + dir + "\"}",
                token == null ? Map.of() : Map.of("Authorization", "Bearer " + token), SWAP_TIMEOUT);
        long answeredAt = System.currentTimeMillis();
        int status = response.map(HttpResponse::statusCode).orElse(-1);
        String said = response.map(this::message).orElse("no answer");
        run.say(details, "%5.1f s  POST %s {\"dir\": \"%s\"}%s: %d in %d ms (%s), %s", FaultRun.seconds(started),
                ModelAdminRoutes.PATH, dir, token == null ? " without the token" : "", status, answeredAt - sentAt,
                said, status == expected ? "as expected" : "EXPECTED " + expected);
        return new Swap(dir, sentAt, answeredAt, status, status == expected);
    }

    private String message(HttpResponse<String> response) {
        try {
            JsonNode body = json.readTree(response.body());
            return body.has("message") ? body.get("message").asText() : body.path("error").asText();
        } catch (IOException e) {
            return response.body();
        }
    }

    private static void pollFor(DeliveryCheck check, Duration period) {
        long until = System.nanoTime() + period.toNanos();
        while (System.nanoTime() < until) {
            check.poll();
        }
    }

    /** The labeled topic as written: each partition's model versions in order, and every classification time. */
    private record Labeled(Map<Integer, List<String>> versionsByPartition, List<Long> classifiedAt) {

        boolean versionsInOrder(List<String> swapOrder) {
            for (List<String> versions : versionsByPartition.values()) {
                int step = 0;
                for (String version : versions) {
                    int index = swapOrder.indexOf(version);
                    if (index < step) {
                        return false;
                    }
                    step = index;
                }
            }
            return true;
        }

        Map<String, Long> countsByVersion() {
            Map<String, Long> counts = new TreeMap<>();
            versionsByPartition.values().forEach(versions -> versions.forEach(v -> counts.merge(v, 1L, Long::sum)));
            return counts;
        }

        /** The longest time between two consecutive classifications that overlaps [from, to]. */
        Duration largestGap(long from, long to) {
            long largest = 0;
            for (int i = 1; i < classifiedAt.size(); i++) {
                long before = classifiedAt.get(i - 1);
                long after = classifiedAt.get(i);
                if (after >= from && before <= to) {
                    largest = Math.max(largest, after - before);
                }
            }
            return Duration.ofMillis(largest);
        }
    }

    private static Labeled readLabeled(FaultRun run, FaultStack.RunTopics topics) {
        SchemaRegistryClient registry = SchemaRegistryClient.create(run.stack().registryUrl());
        ConfluentAvroDeserializer<ClassifiedArticle> decoder = new ConfluentAvroDeserializer<>(registry,
                ClassifiedArticle.class);
        Map<Integer, List<String>> versions = new HashMap<>();
        List<Long> classifiedAt = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, run.stack().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, NAME + "-check-" + UUID.randomUUID(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topics.labeled(), Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(topics.labeled(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < ends.get(partition))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    ClassifiedArticle article = decoder.deserialize(record.topic(), record.value());
                    versions.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(article.getModelVersion());
                    classifiedAt.add(article.getClassifiedAt().toEpochMilli());
                }
            }
        } catch (RuntimeException e) {
            throw new IllegalStateException("reading the labeled topic failed: " + e.getMessage(), e);
        }
        Collections.sort(classifiedAt);
        return new Labeled(versions, classifiedAt);
    }
}
