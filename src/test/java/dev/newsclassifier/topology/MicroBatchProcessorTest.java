package dev.newsclassifier.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.newsclassifier.avro.BufferedArticle;
import dev.newsclassifier.avro.NewsArticle;
import dev.newsclassifier.inference.FailingClassifier;
import dev.newsclassifier.inference.ModelSlot;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedPunctuator;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The batcher alone: punctuator fired by hand, buffer store inspected directly. */
class MicroBatchProcessorTest {

    private static final long NOW = 1_000_000L;
    private static final Duration MAX_DELAY = Duration.ofMillis(100);
    private static final String POISON = "[poison]";

    private final StubClassifier classifier = new StubClassifier();
    /** The bytes under the store, where a restore from the changelog writes what it reads. */
    private final KeyValueStore<Bytes, byte[]> restoredBytes =
            Stores.inMemoryKeyValueStore(NewsClassifierTopology.BATCH_STORE).get();
    private MockProcessorContext<String, BatchResult> context;
    private KeyValueStore<Long, BufferedArticle> store;

    @BeforeEach
    void setUp() {
        context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(NOW);
        KeyValueBytesStoreSupplier restored = new KeyValueBytesStoreSupplier() {
            @Override
            public String name() {
                return NewsClassifierTopology.BATCH_STORE;
            }

            @Override
            public KeyValueStore<Bytes, byte[]> get() {
                return restoredBytes;
            }

            @Override
            public String metricsScope() {
                return "in-memory";
            }
        };
        store = Stores.keyValueStoreBuilder(restored, Serdes.Long(), BufferedArticleSerde.create())
                .withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
    }

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private MicroBatchProcessor processor(int maxSize) {
        PipelineMetrics metrics = new PipelineMetrics(meters);
        BatchInference inference = new BatchInference(FailingClassifier.onMarker(classifier, Optional.of(POISON)),
                metrics, new InferenceHealth());
        MicroBatchProcessor processor = new MicroBatchProcessor(NewsClassifierTopology.BATCH_STORE, inference,
                new ShadowInference(ModelSlot.empty(), metrics), metrics, maxSize, MAX_DELAY, 1_000_000);
        processor.init(context);
        return processor;
    }

    private static BufferedArticle buffered(String id, long bufferedAt) {
        NewsArticle article = NewsArticle.newBuilder().setId(id).setTitle("Sports " + id).setDescription("").build();
        return BufferedArticle.newBuilder().setKey(id).setArticle(article).setText("Sports " + id)
                .setTimestamp(bufferedAt - 5).setBufferedAt(bufferedAt).setHeaders(List.of()).build();
    }

    private static Record<byte[], IntakeResult> accepted(String id) {
        NewsArticle article = NewsArticle.newBuilder().setId(id).setTitle("World " + id).setDescription("").build();
        return new Record<>(id.getBytes(), new IntakeResult(
                new ArticleIntake.Accepted(id, article, "World " + id, false), null), NOW - 10);
    }

    @Test
    void shouldClassifyArticlesRestoredFromTheStoreAfterARestart() {
        store.put(7L, buffered("r1", NOW - 500));
        store.put(8L, buffered("r2", NOW - 400));
        MicroBatchProcessor processor = processor(10);

        CapturedPunctuator punctuator = context.scheduledPunctuators().get(0);
        punctuator.getPunctuator().punctuate(NOW);

        assertThat(context.forwarded()).extracting(f -> (String) f.record().key()).containsExactly("r1", "r2");
        assertThat(store.approximateNumEntries()).isZero();

        processor.process(accepted("r3"));
        assertThat(store.get(9L).getKey()).as("new articles continue after the restored sequence").isEqualTo("r3");
    }

    @Test
    void shouldGaugeBufferedArticlesUntilTheirBatchIsClassifiedOrTheTaskCloses() {
        store.put(1L, buffered("r1", NOW - 20));
        MicroBatchProcessor processor = processor(3);
        processor.process(accepted("a1"));
        assertThat(meters.get("news.batch.buffered").gauge().value()).as("restored plus new").isEqualTo(2.0);

        processor.process(accepted("a2"));
        assertThat(meters.get("news.batch.buffered").gauge().value()).as("flushed at max-size").isZero();
        assertThat(meters.get("news.inference.active").gauge().value()).isZero();

        processor.process(accepted("a3"));
        processor.close();
        assertThat(meters.get("news.batch.buffered").gauge().value())
                .as("a closed task's buffer belongs to whoever restores it").isZero();
    }

    @Test
    void shouldScheduleAWallClockCheckAtAQuarterOfMaxDelay() {
        processor(10);

        assertThat(context.scheduledPunctuators()).singleElement().satisfies(p -> {
            assertThat(p.getInterval()).isEqualTo(Duration.ofMillis(25));
            assertThat(p.getType()).isEqualTo(org.apache.kafka.streams.processor.PunctuationType.WALL_CLOCK_TIME);
        });
    }

    @Test
    void shouldLeaveAYoungBatchBufferedWhenThePunctuatorFires() {
        MicroBatchProcessor processor = processor(10);
        processor.process(accepted("y1"));
        processor.process(accepted("y2"));

        context.scheduledPunctuators().get(0).getPunctuator().punctuate(NOW + MAX_DELAY.toMillis() - 1);
        assertThat(context.forwarded()).isEmpty();
        assertThat(store.approximateNumEntries()).isEqualTo(2);

        context.scheduledPunctuators().get(0).getPunctuator().punctuate(NOW + MAX_DELAY.toMillis());
        assertThat(context.forwarded()).extracting(f -> (String) f.record().key()).containsExactly("y1", "y2");
        assertThat(context.forwarded()).extracting(f -> (Long) f.record().timestamp()).containsOnly(NOW - 10);
        assertThat(store.approximateNumEntries()).isZero();
    }

    @Test
    void shouldSendExactlyMaxSizeArticlesPerModelCall() {
        MicroBatchProcessor processor = processor(2);
        for (String id : List.of("s1", "s2", "s3", "s4", "s5")) {
            processor.process(accepted(id));
        }

        assertThat(classifier.batches).extracting(List::size).containsExactly(2, 2);
        assertThat(context.forwarded()).hasSize(4);
        assertThat(store.approximateNumEntries()).isEqualTo(1);
        assertThat(store.get(4L).getKey()).isEqualTo("s5");
        assertThat(context.forwarded().get(0).record().value().labeled().getScores())
                .isEqualTo(Map.of("World", 0.7f, "Sports", 0.1f, "Business", 0.1f, "Sci/Tech", 0.1f));
    }

    @Test
    void shouldClassifyABufferWrittenWithTheEarlierSchemaAndDeadLetterItsPoisonByArticleId() {
        restoredBytes.put(Bytes.wrap(Serdes.Long().serializer().serialize(null, 3L)),
                EarlierBufferedArticle.encode("old-1", "Sports final", NOW - 500));
        restoredBytes.put(Bytes.wrap(Serdes.Long().serializer().serialize(null, 4L)),
                EarlierBufferedArticle.encode("old-2", "Business " + POISON, NOW - 400));

        BufferedArticle restored = store.get(3L);
        assertThat(restored.getKey()).isEqualTo("old-1");
        assertThat(restored.getText()).isEqualTo("Sports final");
        assertThat(restored.getHeaders()).singleElement()
                .satisfies(header -> assertThat(header.getKey()).isEqualTo("trace"));
        assertThat(restored.getSource()).as("the field's default").isNull();

        processor(10);
        context.scheduledPunctuators().get(0).getPunctuator().punctuate(NOW);

        assertThat(context.forwarded()).hasSize(2);
        var labeled = context.forwarded().get(0).record();
        assertThat(labeled.key()).isEqualTo("old-1");
        assertThat(labeled.value().labeled().getLabel()).isEqualTo("Sports");
        assertThat(labeled.timestamp()).isEqualTo(NOW - 505);
        var dead = context.forwarded().get(1).record();
        assertThat(dead.value().isDeadLetter()).isTrue();
        assertThat(dead.value().deadLetterKey()).as("no original key was kept; the id is the handle left")
                .isEqualTo("old-2".getBytes(StandardCharsets.UTF_8));
        assertThat(dead.value().deadLetterValue()).isNull();
        assertThat(header(dead.headers(), DeadLetters.REASON)).isEqualTo(DeadLetters.INFERENCE_FAILED);
        assertThat(header(dead.headers(), "trace")).isEqualTo("t-old-2");
        assertThat(dead.headers().lastHeader(DeadLetters.SOURCE_TOPIC)).isNull();
        assertThat(dead.headers().lastHeader(DeadLetters.PAYLOAD_DROPPED)).isNull();
        assertThat(store.approximateNumEntries()).isZero();
    }

    private static String header(Headers headers, String key) {
        return new String(headers.lastHeader(key).value(), StandardCharsets.UTF_8);
    }
}
