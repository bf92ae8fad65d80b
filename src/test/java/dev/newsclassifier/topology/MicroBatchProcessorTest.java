package dev.newsclassifier.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.newsclassifier.avro.BufferedArticle;
import dev.newsclassifier.avro.NewsArticle;
import dev.newsclassifier.inference.Classifier;
import dev.newsclassifier.inference.FailingClassifier;
import dev.newsclassifier.inference.InferenceException;
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
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The micro-batch processor and its thread's batcher alone: punctuators fired by hand, buffer stores inspected
 * directly. Two tasks of one stream thread are two processors, each with its own context and store, sharing one
 * {@link ThreadBatchers}.
 */
class MicroBatchProcessorTest {

    private static final long NOW = 1_000_000L;
    private static final Duration MAX_DELAY = Duration.ofMillis(100);
    private static final String POISON = "[poison]";
    /** In every article of a batch: the model fails on each alone too, as a failing runtime does. */
    private static final String RUNTIME_DOWN = "[runtime down]";

    private final StubClassifier classifier = new StubClassifier();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private PipelineMetrics metrics;
    private ThreadBatchers batchers;
    /** The thread's first task. */
    private Task task;
    private MockProcessorContext<String, BatchResult> context;
    private KeyValueStore<Long, BufferedArticle> store;
    /** The bytes under the first task's store, where a restore from the changelog writes what it reads. */
    private KeyValueStore<Bytes, byte[]> restoredBytes;

    /** A task of the stream thread: its context, its buffer store (over bytes a restore would write), its processor. */
    private static final class Task {
        final MockProcessorContext<String, BatchResult> context = new MockProcessorContext<>();
        final KeyValueStore<Bytes, byte[]> bytes = Stores.inMemoryKeyValueStore(NewsClassifierTopology.BATCH_STORE).get();
        final KeyValueStore<Long, BufferedArticle> store;

        Task() {
            context.setCurrentSystemTimeMs(NOW);
            KeyValueBytesStoreSupplier restored = new KeyValueBytesStoreSupplier() {
                @Override
                public String name() {
                    return NewsClassifierTopology.BATCH_STORE;
                }

                @Override
                public KeyValueStore<Bytes, byte[]> get() {
                    return bytes;
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

        /** The task's wall-clock check, as the stream thread's loop fires it (the latest schedule: after a restore). */
        void check(long now) {
            context.setCurrentSystemTimeMs(now);
            List<MockProcessorContext.CapturedPunctuator> scheduled = context.scheduledPunctuators();
            scheduled.get(scheduled.size() - 1).getPunctuator().punctuate(now);
        }

        List<String> forwardedKeys() {
            return context.forwarded().stream().map(f -> (String) f.record().key()).toList();
        }
    }

    @BeforeEach
    void setUp() {
        task = new Task();
        context = task.context;
        store = task.store;
        restoredBytes = task.bytes;
    }

    private MicroBatchProcessor processor(int maxSize) {
        return start(task, maxSize);
    }

    /** Initialises a processor for the task on this thread; the first call fixes the thread's batcher. */
    private MicroBatchProcessor start(Task of, int maxSize) {
        if (batchers == null) {
            metrics = new PipelineMetrics(meters);
            Classifier failing = FailingClassifier.onMarker(FailingClassifier.onMarker(classifier,
                    Optional.of(POISON)), Optional.of(RUNTIME_DOWN));
            BatchInference inference = new BatchInference(failing, metrics, new InferenceHealth());
            ShadowInference shadow = new ShadowInference(ModelSlot.empty(), metrics);
            batchers = new ThreadBatchers(() -> new ThreadBatcher(inference, shadow, metrics, maxSize,
                    MAX_DELAY.toMillis()));
        }
        MicroBatchProcessor processor = new MicroBatchProcessor(NewsClassifierTopology.BATCH_STORE, batchers, metrics,
                1_000_000);
        processor.init(of.context);
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

        task.check(NOW);

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
    void shouldCheckTheThreadsBatchAtEveryPassOfTheStreamThread() {
        processor(10);

        assertThat(context.scheduledPunctuators()).singleElement().satisfies(p -> {
            assertThat(p.getInterval()).isEqualTo(Duration.ofMillis(1));
            assertThat(p.getType()).isEqualTo(org.apache.kafka.streams.processor.PunctuationType.WALL_CLOCK_TIME);
        });
    }

    @Test
    void shouldRunWaitingArticlesAsSoonAsInputStopsArriving() {
        MicroBatchProcessor processor = processor(10);
        processor.process(accepted("q1"));
        processor.process(accepted("q2"));

        task.check(NOW + 1);
        assertThat(context.forwarded()).as("input arrived since the last check: more may be coming").isEmpty();

        task.check(NOW + 6);
        assertThat(task.forwardedKeys()).as("nothing arrived for a whole check: the model is idle, run now")
                .containsExactly("q1", "q2");
        assertThat(classifier.batches).extracting(List::size).containsExactly(2);
        assertThat(store.approximateNumEntries()).isZero();
        assertThat(meters.get("news.batch.queue-delay").timer().count()).isEqualTo(2);
    }

    @Test
    void shouldCapTheWaitAtMaxDelayWhileInputKeepsArriving() {
        MicroBatchProcessor processor = processor(20);
        processor.process(accepted("y1"));
        processor.process(accepted("y2"));
        for (long t = 10; t < MAX_DELAY.toMillis(); t += 10) {
            task.check(NOW + t);
            processor.process(accepted("y" + (2 + t / 10)));
        }
        assertThat(context.forwarded()).isEmpty();
        assertThat(store.approximateNumEntries()).isEqualTo(11);

        task.check(NOW + MAX_DELAY.toMillis());
        assertThat(task.forwardedKeys()).hasSize(11).startsWith("y1", "y2", "y3").endsWith("y11");
        assertThat(context.forwarded()).extracting(f -> (Long) f.record().timestamp()).containsOnly(NOW - 10);
        assertThat(store.approximateNumEntries()).isZero();
    }

    @Test
    void shouldClassifyArticlesOfTwoTasksInOneModelCall() {
        Task other = new Task();
        MicroBatchProcessor first = processor(10);
        MicroBatchProcessor second = start(other, 10);
        first.process(accepted("a1"));
        second.process(accepted("b1"));
        first.process(accepted("a2"));
        second.process(accepted("b2"));

        task.check(NOW + 1);
        task.check(NOW + 2);
        other.check(NOW + 2);

        assertThat(classifier.batches).singleElement().isEqualTo(List.of("World a1", "World b1", "World a2", "World b2"));
        assertThat(task.forwardedKeys()).containsExactly("a1", "a2");
        assertThat(other.forwardedKeys()).containsExactly("b1", "b2");
        assertThat(store.approximateNumEntries()).isZero();
        assertThat(other.store.approximateNumEntries()).isZero();
    }

    @Test
    void shouldRunAFullBatchOfSeveralTasksAtOnceAndForwardEachTasksLabelsOnItsOwnTurn() {
        Task other = new Task();
        MicroBatchProcessor first = processor(3);
        MicroBatchProcessor second = start(other, 3);
        first.process(accepted("a1"));
        second.process(accepted("b1"));
        first.process(accepted("a2"));

        assertThat(classifier.batches).singleElement().isEqualTo(List.of("World a1", "World b1", "World a2"));
        assertThat(task.forwardedKeys()).as("the task whose article filled the batch").containsExactly("a1", "a2");
        assertThat(other.context.forwarded()).as("another task writes only on its own turn").isEmpty();
        assertThat(other.store.get(0L).getKey()).isEqualTo("b1");

        second.process(accepted("b2"));
        assertThat(other.forwardedKeys()).as("its next record is its turn").containsExactly("b1");
        assertThat(other.store.approximateNumEntries()).isEqualTo(1);
    }

    @Test
    void shouldLeaveARevokedTasksArticlesOutOfTheThreadsBatchAndInItsStore() {
        Task other = new Task();
        MicroBatchProcessor first = processor(10);
        MicroBatchProcessor second = start(other, 10);
        first.process(accepted("a1"));
        second.process(accepted("b1"));
        second.process(accepted("b2"));

        second.close();
        task.check(NOW + 1);
        task.check(NOW + 2);

        assertThat(classifier.batches).singleElement().isEqualTo(List.of("World a1"));
        assertThat(task.forwardedKeys()).containsExactly("a1");
        assertThat(other.store.approximateNumEntries()).as("for whoever restores the task").isEqualTo(2);
        assertThat(meters.get("news.batch.buffered").gauge().value()).isZero();
    }

    @Test
    void shouldDropLabelsNotYetForwardedWhenATaskIsRevokedAndClassifyItsArticlesAgainAfterRestore() {
        Task other = new Task();
        MicroBatchProcessor first = processor(2);
        MicroBatchProcessor second = start(other, 2);
        second.process(accepted("b1"));
        first.process(accepted("a1"));
        assertThat(other.context.forwarded()).as("b1's label waits for its task's turn").isEmpty();

        second.close();
        start(other, 2);
        task.check(NOW + 1);
        task.check(NOW + 2);
        other.check(NOW + 2);

        assertThat(classifier.batches).extracting(List::size).containsExactly(2, 1);
        assertThat(other.forwardedKeys()).as("labeled once, after the restore").containsExactly("b1");
        assertThat(other.store.approximateNumEntries()).isZero();
    }

    @Test
    void shouldLeaveTheBatchBufferedWhenTheRuntimeFailsAndClassifyItOnceItRecovers() {
        Task other = new Task();
        MicroBatchProcessor first = processor(10);
        start(other, 10).process(accepted("b1 " + RUNTIME_DOWN));
        first.process(accepted("a1 " + RUNTIME_DOWN));
        task.check(NOW + 1);

        assertThatThrownBy(() -> task.check(NOW + 2)).isInstanceOf(InferenceException.class);
        assertThat(store.approximateNumEntries()).isEqualTo(1);
        assertThat(other.store.approximateNumEntries()).isEqualTo(1);
        assertThat(context.forwarded()).isEmpty();
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
        task.check(NOW);

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
