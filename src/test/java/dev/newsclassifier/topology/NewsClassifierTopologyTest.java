package dev.newsclassifier.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.newsclassifier.avro.BufferedArticle;
import dev.newsclassifier.avro.ClassifiedArticle;
import dev.newsclassifier.avro.NewsArticle;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NewsClassifierTopologyTest {

    private static final String RAW = "news.raw";
    private static final String LABELED = "news.labeled";
    private static final String DEAD_LETTERS = "news.dead-letter";
    private static final Instant START = Instant.parse("2026-11-24T08:00:00Z");
    private static final int MAX_SIZE = 3;
    private static final Duration MAX_DELAY = Duration.ofMillis(200);
    private static final int MAX_TEXT_CHARS = 80;
    private static final int MAX_RECORD_BYTES = 4_000;
    private static final int MAX_DEAD_LETTER_PAYLOAD_BYTES = 6_000;

    private final StubClassifier classifier = new StubClassifier();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> raw;
    private TestOutputTopic<String, ClassifiedArticle> labeled;
    private TestOutputTopic<byte[], byte[]> deadLetters;

    @BeforeEach
    void startDriver() {
        driver = new TopologyTestDriver(topology(BufferStoreKind.PERSISTENT, meters), streamsConfig("topology-test"), START);
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

    private static NewsArticle article(String id, String title, String description) {
        return NewsArticle.newBuilder().setId(id).setTitle(title).setDescription(description)
                .setSource("Test Wire").setUrl("https://news.example/" + id)
                .setPublishedAt(START.minusSeconds(60)).setLanguage("en")
                .setAttributes(Map.of("feed", "unit")).build();
    }

    private void publish(NewsArticle article) {
        raw.pipeInput(article.getId().getBytes(StandardCharsets.UTF_8), PlainAvroCodec.encode(article), START);
    }

    private Topology topology(BufferStoreKind store, SimpleMeterRegistry registry) {
        TopologySettings settings = new TopologySettings(RAW, LABELED, DEAD_LETTERS, MAX_SIZE, MAX_DELAY, MAX_TEXT_CHARS,
                MAX_RECORD_BYTES, MAX_DEAD_LETTER_PAYLOAD_BYTES, store, ReviewPolicy.OFF, Optional.empty());
        return NewsClassifierTopology.build(settings, PlainAvroCodec.articleDecoder(),
                PlainAvroCodec.serde(ClassifiedArticle.class), classifier, new PipelineMetrics(registry), new InferenceHealth());
    }

    private static Properties streamsConfig(String applicationId) {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        return config;
    }

    private KeyValueStore<Long, BufferedArticle> buffer() {
        return driver.getKeyValueStore(NewsClassifierTopology.BATCH_STORE);
    }

    private static String header(Headers headers, String key) {
        return new String(headers.lastHeader(key).value(), StandardCharsets.UTF_8);
    }

    @Test
    void shouldBufferInAPersistentStoreSoThatARestartKeepsItsProcessId() {
        // Kafka Streams persists its process id, and with it the transactional ids, only for topologies with a
        // persistent store: that is what lets a restarted instance fence its predecessor at once.
        assertThat(driver.getKeyValueStore(NewsClassifierTopology.BATCH_STORE).persistent()).isTrue();
        try (TopologyTestDriver inMemory = new TopologyTestDriver(
                topology(BufferStoreKind.IN_MEMORY, new SimpleMeterRegistry()), streamsConfig("in-memory-test"), START)) {
            assertThat(inMemory.getKeyValueStore(NewsClassifierTopology.BATCH_STORE).persistent()).isFalse();
        }
    }

    @Test
    void shouldClassifyOneBatchAsSoonAsItReachesMaxSize() {
        publish(article("a1", "Sports final", "The home team won"));
        publish(article("a2", "Business news", "Shares rose"));
        assertThat(labeled.isEmpty()).isTrue();
        assertThat(BufferContents.count(buffer())).isEqualTo(2);

        publish(article("a3", "World leaders meet", "A summit"));

        assertThat(labeled.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("a1", "a2", "a3");
        assertThat(classifier.batches).hasSize(1).first().asList().hasSize(3);
        assertThat(BufferContents.count(buffer())).isZero();
    }

    @Test
    void shouldLogOnlyTheArticlesStillBufferedAtACommitToTheChangelog() {
        TestOutputTopic<Long, byte[]> changelog = driver.createOutputTopic(
                "topology-test-" + NewsClassifierTopology.BATCH_STORE + "-changelog", Serdes.Long().deserializer(),
                Serdes.ByteArray().deserializer());

        publish(article("c1", "Sports final", "The home team won"));
        publish(article("c2", "Business news", "Shares rose"));
        publish(article("c3", "World leaders meet", "A summit"));

        assertThat(labeled.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("c1", "c2", "c3");
        // The driver commits after each record: c1 and c2 were buffered at a commit, c3 was classified before one.
        List<KeyValue<Long, byte[]>> logged = changelog.readKeyValuesToList();
        assertThat(logged).extracting(kv -> kv.key).containsExactly(0L, 1L, 0L, 1L);
        assertThat(logged).extracting(kv -> kv.value == null).containsExactly(false, false, true, true);
    }

    @Test
    void shouldHoldASmallBatchUntilMaxDelayHasPassed() {
        publish(article("b1", "Sports", "Match report"));
        publish(article("b2", "Sci/Tech", "A new chip"));

        driver.advanceWallClockTime(MAX_DELAY.minusMillis(60));
        assertThat(labeled.isEmpty()).isTrue();
        assertThat(BufferContents.count(buffer())).isEqualTo(2);

        driver.advanceWallClockTime(Duration.ofMillis(60));
        assertThat(labeled.readValuesToList()).extracting(ClassifiedArticle::getLabel).containsExactly("Sports", "Sci/Tech");
        assertThat(BufferContents.count(buffer())).isZero();
    }

    @Test
    void shouldNotCallTheModelWhenNothingIsBuffered() {
        driver.advanceWallClockTime(MAX_DELAY.multipliedBy(5));

        assertThat(classifier.batches).isEmpty();
        assertThat(labeled.isEmpty()).isTrue();
    }

    @Test
    void shouldEmitEveryFieldOfTheLabeledArticle() {
        Headers headers = new RecordHeaders().add("replay.run-id", "run-7".getBytes(StandardCharsets.UTF_8));
        NewsArticle input = article("c1", "Sports: #39;Cup#39; final", "Extra\\time win");
        raw.pipeInput(new TestRecord<>("c1".getBytes(StandardCharsets.UTF_8), PlainAvroCodec.encode(input), headers,
                START.minusMillis(250)));
        driver.advanceWallClockTime(MAX_DELAY);

        TestRecord<String, ClassifiedArticle> output = labeled.readRecord();
        ClassifiedArticle result = output.value();
        assertThat(output.key()).isEqualTo("c1");
        assertThat(output.timestamp()).isEqualTo(START.minusMillis(250).toEpochMilli());
        assertThat(header(output.headers(), "replay.run-id")).isEqualTo("run-7");
        assertThat(classifier.batches.get(0)).containsExactly("Sports:'Cup' final Extra time win");
        assertThat(result.getId()).isEqualTo("c1");
        assertThat(result.getTitle()).isEqualTo(input.getTitle());
        assertThat(result.getDescription()).isEqualTo(input.getDescription());
        assertThat(result.getSource()).isEqualTo("Test Wire");
        assertThat(result.getUrl()).isEqualTo("https://news.example/c1");
        assertThat(result.getPublishedAt()).isEqualTo(START.minusSeconds(60));
        assertThat(result.getLanguage()).isEqualTo("en");
        assertThat(result.getLabel()).isEqualTo("Sports");
        assertThat(result.getLabelIndex()).isEqualTo(1);
        assertThat(result.getConfidence()).isCloseTo(0.7f, within(1e-6f));
        assertThat(result.getScores()).isEqualTo(Map.of("World", 0.1f, "Sports", 0.7f, "Business", 0.1f, "Sci/Tech", 0.1f));
        assertThat(result.getTruncated()).isFalse();
        assertThat(result.getModelName()).isEqualTo("stub-model");
        assertThat(result.getModelVersion()).isEqualTo("0.0.1");
        assertThat(result.getClassifiedAt()).isEqualTo(START.plus(MAX_DELAY));
        assertThat(result.getAttributes()).containsExactlyEntriesOf(Map.of("feed", "unit"));
    }

    @Test
    void shouldRouteUndecodableRecordToDeadLettersWithOriginalBytes() {
        byte[] garbage = {0x00, 0x00, 0x00, 0x00, 0x07, (byte) 0xff, (byte) 0xfe};
        Headers headers = new RecordHeaders().add("trace", "t-1".getBytes(StandardCharsets.UTF_8));
        raw.pipeInput(new TestRecord<>("k1".getBytes(StandardCharsets.UTF_8), garbage, headers, START));

        TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
        assertThat(dead.key()).isEqualTo("k1".getBytes(StandardCharsets.UTF_8));
        assertThat(dead.value()).isEqualTo(garbage);
        assertThat(header(dead.headers(), DeadLetters.REASON)).isEqualTo(PlainAvroCodec.MALFORMED);
        assertThat(header(dead.headers(), DeadLetters.DETAIL)).startsWith("not a NewsArticle");
        assertThat(header(dead.headers(), DeadLetters.SOURCE_TOPIC)).isEqualTo(RAW);
        assertThat(header(dead.headers(), DeadLetters.SOURCE_PARTITION)).isEqualTo("0");
        assertThat(header(dead.headers(), DeadLetters.SOURCE_OFFSET)).isEqualTo("0");
        assertThat(header(dead.headers(), "trace")).isEqualTo("t-1");
        assertThat(labeled.isEmpty()).isTrue();
        assertThat(BufferContents.count(buffer())).isZero();
    }

    @Test
    void shouldRouteTombstoneToDeadLetters() {
        raw.pipeInput("gone".getBytes(StandardCharsets.UTF_8), null, START);

        TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
        assertThat(dead.value()).isNull();
        assertThat(header(dead.headers(), DeadLetters.REASON)).isEqualTo(DeadLetters.NULL_VALUE);
    }

    @Test
    void shouldRouteOversizedRecordToDeadLettersWithoutDecodingIt() {
        byte[] huge = new byte[MAX_RECORD_BYTES + 1];
        raw.pipeInput("big".getBytes(StandardCharsets.UTF_8), huge, START);

        TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
        assertThat(dead.value()).isEqualTo(huge);
        assertThat(header(dead.headers(), DeadLetters.REASON)).isEqualTo(DeadLetters.RECORD_TOO_LARGE);
        assertThat(dead.headers().lastHeader(DeadLetters.PAYLOAD_DROPPED)).isNull();
    }

    @Test
    void shouldDeadLetterARecordTooLargeForTheDeadLetterTopicWithoutItsValue() {
        byte[] huge = new byte[MAX_DEAD_LETTER_PAYLOAD_BYTES + 1];
        raw.pipeInput("bigger".getBytes(StandardCharsets.UTF_8), huge, START);

        TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
        assertThat(dead.key()).isEqualTo("bigger".getBytes(StandardCharsets.UTF_8));
        assertThat(dead.value()).isNull();
        assertThat(header(dead.headers(), DeadLetters.REASON)).isEqualTo(DeadLetters.RECORD_TOO_LARGE);
        assertThat(header(dead.headers(), DeadLetters.PAYLOAD_DROPPED)).isEqualTo(Integer.toString(huge.length));
        assertThat(header(dead.headers(), DeadLetters.SOURCE_OFFSET)).isEqualTo("0");
    }

    @Test
    void shouldRouteArticlesWithoutTextToDeadLetters() {
        publish(article("e1", "", ""));
        publish(article("e2", "   ", "\t \n"));
        publish(article("e3", "\\", "#32;"));

        List<TestRecord<byte[], byte[]>> dead = deadLetters.readRecordsToList();
        assertThat(dead).hasSize(3).allSatisfy(record ->
                assertThat(header(record.headers(), DeadLetters.REASON)).isEqualTo(DeadLetters.EMPTY_TEXT));
        assertThat(BufferContents.count(buffer())).isZero();
    }

    @Test
    void shouldRouteArticleWithoutIdToDeadLetters() {
        NewsArticle noId = article(" ", "Sports", "A match");
        raw.pipeInput(null, PlainAvroCodec.encode(noId), START);

        assertThat(header(deadLetters.readRecord().headers(), DeadLetters.REASON)).isEqualTo(DeadLetters.MISSING_ID);
    }

    @Test
    void shouldClassifyOverlongTextCutToTheLimitAndFlagIt() {
        publish(article("t1", "Long read", "word ".repeat(100)));
        driver.advanceWallClockTime(MAX_DELAY);

        assertThat(classifier.batches.get(0).get(0)).hasSize(MAX_TEXT_CHARS).startsWith("Long read word word");
        assertThat(labeled.readValue().getTruncated()).isTrue();
    }

    @Test
    void shouldFlagArticlesTheTokenizerHadToCut() {
        publish(article("t2", "[long]", "tokenizer cuts this"));
        driver.advanceWallClockTime(MAX_DELAY);

        assertThat(labeled.readValue().getTruncated()).isTrue();
    }

    @Test
    void shouldClassifyOddButReadableText() {
        publish(article("o1", "<b>Markup</b> &amp; \u0007bell", "Caf\u00e9 \u65e5\u672c emoji \ud83d\ude00"));
        raw.pipeInput("o2".getBytes(StandardCharsets.UTF_8), withLoneSurrogate(article("o2", "Broken XXX surrogate", "")),
                START);
        driver.advanceWallClockTime(MAX_DELAY);

        assertThat(labeled.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("o1", "o2");
        assertThat(classifier.batches.get(0)).containsExactly(
                "<b>Markup</b> & \u0007bell Caf\u00e9 \u65e5\u672c emoji \ud83d\ude00",
                "Broken \ufffd surrogate");
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    /** Puts the UTF-8 encoding of a lone surrogate (invalid UTF-8) where the title says XXX. */
    private static byte[] withLoneSurrogate(NewsArticle article) {
        byte[] bytes = PlainAvroCodec.encode(article);
        String latin = new String(bytes, StandardCharsets.ISO_8859_1);
        int at = latin.indexOf("XXX");
        bytes[at] = (byte) 0xED;
        bytes[at + 1] = (byte) 0xA0;
        bytes[at + 2] = (byte) 0x80;
        return bytes;
    }

    @Test
    void shouldClassifyTheSameIdTwiceWhenItArrivesTwice() {
        publish(article("d1", "Sports", "First"));
        publish(article("d1", "Sports", "Correction"));
        driver.advanceWallClockTime(MAX_DELAY);

        assertThat(labeled.readValuesToList()).extracting(ClassifiedArticle::getDescription)
                .containsExactly("First", "Correction");
    }

    @Test
    void shouldKeyOutputByArticleIdWhenRecordKeyIsMissing() {
        raw.pipeInput(null, PlainAvroCodec.encode(article("n1", "World", "Talks")), START);
        driver.advanceWallClockTime(MAX_DELAY);

        assertThat(labeled.readKeyValue().key).isEqualTo("n1");
    }

    @Test
    void shouldCountEveryOutcome() {
        publish(article("m1", "Sports", "One"));
        publish(article("m2", "", ""));
        raw.pipeInput("m3".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2, 3}, START);
        driver.advanceWallClockTime(MAX_DELAY);

        assertThat(meters.get("news.articles.received").counter().count()).isEqualTo(3);
        assertThat(meters.get("news.articles.classified").counter().count()).isEqualTo(1);
        assertThat(meters.get("news.articles.dead-lettered").tag("reason", DeadLetters.EMPTY_TEXT).counter().count())
                .isEqualTo(1);
        assertThat(meters.get("news.articles.dead-lettered").tag("reason", PlainAvroCodec.MALFORMED).counter().count())
                .isEqualTo(1);
        assertThat(meters.get("news.batch.size").summary().count()).isEqualTo(1);
        assertThat(meters.get("news.latency.end-to-end").timer().count()).isEqualTo(1);
    }
}
