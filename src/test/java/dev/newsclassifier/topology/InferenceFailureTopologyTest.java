package dev.newsclassifier.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.newsclassifier.avro.BufferedArticle;
import dev.newsclassifier.avro.ClassifiedArticle;
import dev.newsclassifier.avro.NewsArticle;
import dev.newsclassifier.inference.Classification;
import dev.newsclassifier.inference.Classifier;
import dev.newsclassifier.inference.FailingClassifier;
import dev.newsclassifier.inference.InferenceException;
import dev.newsclassifier.inference.ModelConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The whole topology when the model fails: poison articles are dead-lettered, a failing runtime stops the batch. */
class InferenceFailureTopologyTest {

    private static final String RAW = "news.raw";
    private static final String LABELED = "news.labeled";
    private static final String DEAD_LETTERS = "news.dead-letter";
    private static final Instant START = Instant.parse("2026-11-24T08:00:00Z");
    private static final int MAX_SIZE = 32;
    private static final Duration MAX_DELAY = Duration.ofMillis(200);
    private static final String POISON = "[poison]";
    private static final String POISON_DETAIL = "fault injection: 1 of 1 texts contain the poison marker";

    private final StubClassifier stub = new StubClassifier();
    private final List<Integer> calls = Collections.synchronizedList(new ArrayList<>());
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> raw;
    private TestOutputTopic<String, ClassifiedArticle> labeled;
    private TestOutputTopic<byte[], byte[]> deadLetters;

    /** Runs the topology on {@code model}, recording the size of every call made to it, failed or not. */
    private void startDriver(Classifier model) {
        Classifier recorded = new Classifier() {
            @Override
            public List<Classification> classify(List<String> texts) {
                calls.add(texts.size());
                return model.classify(texts);
            }

            @Override
            public ModelConfig model() {
                return model.model();
            }
        };
        TopologySettings settings = new TopologySettings(RAW, LABELED, DEAD_LETTERS, MAX_SIZE, MAX_DELAY, 1_000,
                100_000, 100_000, BufferStoreKind.IN_MEMORY, ReviewPolicy.OFF,
                Optional.empty());
        var topology = NewsClassifierTopology.build(settings, PlainAvroCodec.articleDecoder(),
                PlainAvroCodec.serde(ClassifiedArticle.class), recorded, new PipelineMetrics(meters), new InferenceHealth());
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "inference-failure-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(topology, config, START);
        raw = driver.createInputTopic(RAW, Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
        labeled = driver.createOutputTopic(LABELED, Serdes.String().deserializer(),
                PlainAvroCodec.serde(ClassifiedArticle.class).deserializer());
        deadLetters = driver.createOutputTopic(DEAD_LETTERS, Serdes.ByteArray().deserializer(),
                Serdes.ByteArray().deserializer());
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    private static Classifier poisonMarked(Classifier model) {
        return FailingClassifier.onMarker(model, Optional.of(POISON));
    }

    /** Fails the calls whose index (from 0) {@code fails} picks, as a whole; classifies the others like the stub. */
    private Classifier failingCalls(IntPredicate fails) {
        return new Classifier() {
            private int call;

            @Override
            public List<Classification> classify(List<String> texts) {
                if (fails.test(call++)) {
                    throw new InferenceException("CUDA failure 999: device lost");
                }
                return stub.classify(texts);
            }

            @Override
            public ModelConfig model() {
                return stub.model();
            }
        };
    }

    private static String id(int n) {
        return String.format("a-%02d", n);
    }

    private static NewsArticle article(int n, boolean poison) {
        String title = poison ? "World " + POISON + " summit " + n : "World summit " + n;
        return NewsArticle.newBuilder().setId(id(n)).setTitle(title).setDescription("Leaders met").build();
    }

    /** Publishes article {@code n} under a key of its own (not its id) with a header, at offset {@code n}. */
    private byte[] publish(int n, boolean poison) {
        byte[] value = PlainAvroCodec.encode(article(n, poison));
        Headers headers = new RecordHeaders().add("trace", ("t-" + n).getBytes(StandardCharsets.UTF_8));
        raw.pipeInput(new TestRecord<>(("key-" + n).getBytes(StandardCharsets.UTF_8), value, headers,
                START.plusMillis(n)));
        return value;
    }

    private KeyValueStore<Long, BufferedArticle> buffer() {
        return driver.getKeyValueStore(NewsClassifierTopology.BATCH_STORE);
    }

    private static String header(Headers headers, String key) {
        return new String(headers.lastHeader(key).value(), StandardCharsets.UTF_8);
    }

    private double count(String meter) {
        return meters.get(meter).counter().count();
    }

    private double deadLetteredForInference() {
        var counter = meters.find("news.articles.dead-lettered").tag("reason", DeadLetters.INFERENCE_FAILED).counter();
        return counter == null ? 0 : counter.count();
    }

    private static List<String> idsExcept(int... poison) {
        return IntStream.range(0, MAX_SIZE).filter(n -> IntStream.of(poison).noneMatch(p -> p == n))
                .mapToObj(InferenceFailureTopologyTest::id).toList();
    }

    @Test
    void shouldDeadLetterThePoisonArticleOfABatchWithItsOriginalRecordAndLabelTheOthers() {
        startDriver(poisonMarked(stub));
        byte[] poisonValue = null;
        for (int n = 0; n < MAX_SIZE; n++) {
            byte[] value = publish(n, n == 9);
            if (n == 9) {
                poisonValue = value;
            }
        }

        TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
        assertThat(deadLetters.isEmpty()).isTrue();
        assertThat(new String(dead.key(), StandardCharsets.UTF_8)).isEqualTo("key-9");
        assertThat(dead.value()).isEqualTo(poisonValue);
        assertThat(dead.timestamp()).isEqualTo(START.plusMillis(9).toEpochMilli());
        assertThat(header(dead.headers(), "trace")).isEqualTo("t-9");
        assertThat(header(dead.headers(), DeadLetters.REASON)).isEqualTo(DeadLetters.INFERENCE_FAILED);
        assertThat(header(dead.headers(), DeadLetters.DETAIL)).isEqualTo(POISON_DETAIL);
        assertThat(header(dead.headers(), DeadLetters.SOURCE_TOPIC)).isEqualTo(RAW);
        assertThat(header(dead.headers(), DeadLetters.SOURCE_PARTITION)).isEqualTo("0");
        assertThat(header(dead.headers(), DeadLetters.SOURCE_OFFSET)).isEqualTo("9");
        assertThat(dead.headers().lastHeader(DeadLetters.PAYLOAD_DROPPED)).isNull();

        List<TestRecord<String, ClassifiedArticle>> out = labeled.readRecordsToList();
        assertThat(out).extracting(TestRecord::key).containsExactlyElementsOf(idsExcept(9));
        assertThat(out).extracting(record -> record.value().getLabel()).containsOnly("World");
        assertThat(header(out.get(9).headers(), "trace")).as("a-10's own header").isEqualTo("t-10");
        assertThat(BufferContents.count(buffer())).isZero();

        // Twice the whole batch, then each half, down to the poison article: 2 + 2 * log2(32) calls.
        assertThat(calls).containsExactly(32, 32, 16, 8, 8, 4, 2, 1, 1, 2, 4, 16);
        assertThat(count("news.inference.retries")).isEqualTo(1);
        assertThat(count("news.inference.splits")).isEqualTo(5);
        assertThat(deadLetteredForInference()).isEqualTo(1);
        assertThat(count("news.inference.runtime-failures")).isZero();
        assertThat(count("news.articles.classified")).isEqualTo(31);
    }

    @Test
    void shouldDeadLetterBothPoisonArticlesOfABatch() {
        startDriver(poisonMarked(stub));
        for (int n = 0; n < MAX_SIZE; n++) {
            publish(n, n == 3 || n == 20);
        }

        List<TestRecord<byte[], byte[]>> dead = deadLetters.readRecordsToList();
        assertThat(dead).extracting(record -> new String(record.key(), StandardCharsets.UTF_8))
                .containsExactly("key-3", "key-20");
        assertThat(dead).extracting(record -> header(record.headers(), DeadLetters.SOURCE_OFFSET))
                .containsExactly("3", "20");
        assertThat(dead).extracting(record -> header(record.headers(), DeadLetters.REASON))
                .containsOnly(DeadLetters.INFERENCE_FAILED);
        assertThat(dead.get(1).value()).isEqualTo(PlainAvroCodec.encode(article(20, true)));
        assertThat(labeled.readKeyValuesToList()).extracting(kv -> kv.key).containsExactlyElementsOf(idsExcept(3, 20));
        assertThat(BufferContents.count(buffer())).isZero();
        assertThat(count("news.inference.retries")).isEqualTo(1);
        assertThat(count("news.inference.splits")).isEqualTo(9);
        assertThat(deadLetteredForInference()).isEqualTo(2);
    }

    @Test
    void shouldLeaveTheBatchBufferedAndFailWhenTheModelFailsOnEveryArticleAlone() {
        startDriver(failingCalls(call -> true));
        for (int n = 0; n < MAX_SIZE - 1; n++) {
            publish(n, false);
        }

        assertThatThrownBy(() -> publish(MAX_SIZE - 1, false)).satisfies(failure -> {
            InferenceException runtime = inferenceFailure(failure);
            assertThat(runtime.getMessage()).isEqualTo("Inference failed on each of the 32 articles of a batch alone:"
                    + " the runtime is failing, not the articles. Last error: CUDA failure 999: device lost");
        });

        assertThat(labeled.isEmpty()).isTrue();
        assertThat(deadLetters.isEmpty()).isTrue();
        assertThat(BufferContents.count(buffer())).isEqualTo(MAX_SIZE);
        // Twice the whole batch, then every half down to each single article: 2 + (2 + 4 + 8 + 16 + 32).
        assertThat(calls).hasSize(64);
        assertThat(count("news.inference.runtime-failures")).isEqualTo(1);
        assertThat(count("news.inference.splits")).isEqualTo(31);
        assertThat(deadLetteredForInference()).isZero();
        assertThat(count("news.articles.classified")).isZero();
    }

    @Test
    void shouldLabelTheWholeBatchWhenTheRetrySucceeds() {
        startDriver(failingCalls(call -> call == 0));
        for (int n = 0; n < MAX_SIZE; n++) {
            publish(n, false);
        }

        assertThat(labeled.readKeyValuesToList()).extracting(kv -> kv.key).containsExactlyElementsOf(idsExcept());
        assertThat(deadLetters.isEmpty()).isTrue();
        assertThat(BufferContents.count(buffer())).isZero();
        assertThat(calls).containsExactly(32, 32);
        assertThat(count("news.inference.retries")).isEqualTo(1);
        assertThat(count("news.inference.splits")).isZero();
        assertThat(deadLetteredForInference()).isZero();
        assertThat(count("news.inference.runtime-failures")).isZero();
    }

    @Test
    void shouldTakeALoneArticleFailingBeforeAnythingWasLabeledForARuntimeFailure() {
        startDriver(poisonMarked(stub));
        publish(0, true);

        assertThatThrownBy(() -> driver.advanceWallClockTime(MAX_DELAY))
                .satisfies(failure -> assertThat(inferenceFailure(failure).getMessage())
                        .isEqualTo("Inference failed on a batch of one article, and the batch before it labeled nothing:"
                                + " taken for the runtime failing. Last error: " + POISON_DETAIL));
        assertThat(deadLetters.isEmpty()).isTrue();
        assertThat(BufferContents.count(buffer())).isEqualTo(1);
        assertThat(count("news.inference.runtime-failures")).isEqualTo(1);
    }

    @Test
    void shouldDeadLetterALoneFailingArticleOnlyWhenTheBatchBeforeItLabeled() {
        startDriver(poisonMarked(stub));
        publish(0, false);
        driver.advanceWallClockTime(MAX_DELAY);
        assertThat(labeled.readKeyValue().key).isEqualTo(id(0));

        publish(1, true);
        driver.advanceWallClockTime(MAX_DELAY);
        TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
        assertThat(new String(dead.key(), StandardCharsets.UTF_8)).isEqualTo("key-1");
        assertThat(header(dead.headers(), DeadLetters.DETAIL)).isEqualTo(POISON_DETAIL);
        assertThat(calls).containsExactly(1, 1, 1);

        // The lone failure labeled nothing: nothing shows the runtime still works, so the next one stops the batch.
        publish(2, true);
        assertThatThrownBy(() -> driver.advanceWallClockTime(MAX_DELAY))
                .satisfies(failure -> assertThat(inferenceFailure(failure)).isNotNull());
        assertThat(deadLetters.isEmpty()).isTrue();
        assertThat(BufferContents.count(buffer())).isEqualTo(1);
        assertThat(deadLetteredForInference()).isEqualTo(1);
        assertThat(count("news.inference.runtime-failures")).isEqualTo(1);
    }

    @Test
    void shouldDeadLetterAPoisonArticleTooLargeToBufferTwiceWithoutItsValue() {
        startDriver(poisonMarked(stub));
        publish(0, false);
        NewsArticle large = NewsArticle.newBuilder(article(1, true)).setDescription("x".repeat(60_000)).build();
        byte[] value = PlainAvroCodec.encode(large);
        raw.pipeInput("key-1".getBytes(StandardCharsets.UTF_8), value, START);
        driver.advanceWallClockTime(MAX_DELAY);

        TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
        assertThat(dead.value()).as("over half of max-dead-letter-payload-bytes: not kept in the buffer").isNull();
        assertThat(header(dead.headers(), DeadLetters.PAYLOAD_DROPPED)).isEqualTo(Integer.toString(value.length));
        assertThat(header(dead.headers(), DeadLetters.SOURCE_OFFSET)).isEqualTo("1");
        assertThat(header(dead.headers(), DeadLetters.REASON)).isEqualTo(DeadLetters.INFERENCE_FAILED);
        assertThat(labeled.readKeyValue().key).isEqualTo(id(0));
    }

    /** The topology's own failure in the chain Kafka Streams wraps it in. */
    private static InferenceException inferenceFailure(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof InferenceException inference && cause.getMessage().startsWith("Inference failed")) {
                return inference;
            }
        }
        throw new AssertionError("no runtime failure in the chain of " + failure, failure);
    }
}
