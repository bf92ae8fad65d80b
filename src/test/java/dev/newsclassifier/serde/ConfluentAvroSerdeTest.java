package dev.newsclassifier.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.newsclassifier.avro.ClassifiedArticle;
import dev.newsclassifier.avro.NewsArticle;
import dev.newsclassifier.local.LocalKafkaStack;
import dev.newsclassifier.local.RegistryKind;
import dev.newsclassifier.local.SchemaRegistryServer;
import dev.newsclassifier.registry.SchemaNotFoundException;
import dev.newsclassifier.registry.SchemaRegistryClient;
import dev.newsclassifier.registry.SchemaRegistryUnavailableException;
import dev.newsclassifier.serde.RecordDecodeException.Reason;
import dev.newsclassifier.testing.TestRegistries;

/**
 * The serde against the built-in registry; {@link ApicurioConfluentAvroSerdeTest} runs the same tests against
 * Apicurio Registry. One instance per class, so that the registry can be chosen by {@link #registryKind()}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConfluentAvroSerdeTest {

    private static final String OLDER_NEWS_ARTICLE = """
            {"type": "record", "name": "NewsArticle", "namespace": "dev.newsclassifier.avro", "fields": [
              {"name": "id", "type": "string"},
              {"name": "title", "type": "string"},
              {"name": "description", "type": "string"},
              {"name": "source", "type": ["null", "string"], "default": null}
            ]}""";
    private static final String NEWS_ARTICLE_WITHOUT_TITLE = """
            {"type": "record", "name": "NewsArticle", "namespace": "dev.newsclassifier.avro", "fields": [
              {"name": "id", "type": "string"},
              {"name": "description", "type": "string"}
            ]}""";

    private LocalKafkaStack stack;
    private SchemaRegistryServer registry;
    private SchemaRegistryClient client;
    private String unavailable;

    RegistryKind registryKind() {
        return RegistryKind.BUILT_IN;
    }

    @BeforeAll
    void startStack() {
        unavailable = TestRegistries.unavailable(registryKind()).orElse(null);
        if (unavailable == null) {
            stack = LocalKafkaStack.builder().onlyTopics(List.of()).registry(registryKind()).start();
            registry = stack.registry();
            client = SchemaRegistryClient.create(registry.url());
        }
    }

    @BeforeEach
    void skipWhereTheRegistryCannotRun() {
        // Assumed per test, not per class, so that the reports list each test as skipped with this reason.
        assumeTrue(unavailable == null, unavailable);
    }

    @AfterAll
    void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldRoundTripNewsArticleInConfluentWireFormat() {
        NewsArticle article = fullArticle();
        ConfluentAvroSerde<NewsArticle> serde = new ConfluentAvroSerde<>(client, NewsArticle.class);

        byte[] bytes = serde.serializer().serialize("news.raw", article);
        NewsArticle decoded = serde.deserializer().deserialize("news.raw", bytes);

        assertThat(bytes[0]).isZero();
        int registeredId = client.lookupId("news.raw-value", NewsArticle.getClassSchema());
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(registeredId);
        assertThat(decoded).isEqualTo(article);
        assertThat(decoded.getTitle()).isInstanceOf(String.class).isEqualTo("Rates rise");
        assertThat(decoded.getPublishedAt()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_123L));
        assertThat(decoded.getAttributes()).containsEntry("feed", "markets");
    }

    @Test
    void shouldRoundTripClassifiedArticleAsKeyUnderKeySubject() {
        ClassifiedArticle classified = classifiedArticle();
        ConfluentAvroSerde<ClassifiedArticle> serde = new ConfluentAvroSerde<>(client, ClassifiedArticle.class);
        serde.configure(Map.of(), true);

        byte[] bytes = serde.serializer().serialize("labeled-keys", classified);

        assertThat(serde.deserializer().deserialize("labeled-keys", bytes)).isEqualTo(classified);
        assertThat(client.latestVersion("labeled-keys-key").schema()).isEqualTo(ClassifiedArticle.getClassSchema());
        assertThatThrownBy(() -> client.latestVersion("labeled-keys-value"))
                .isInstanceOf(SchemaNotFoundException.class);
    }

    @Test
    void shouldOnlyLookUpSchemaWhenAutoRegisterIsOff() {
        ConfluentAvroSerializer<NewsArticle> serializer = new ConfluentAvroSerializer<>(client);
        serializer.configure(Map.of(ConfluentAvroSerdeConfig.AUTO_REGISTER_SCHEMAS, "false"), false);

        assertThatThrownBy(() -> serializer.serialize("unregistered", fullArticle()))
                .isInstanceOfSatisfying(SchemaNotFoundException.class,
                        e -> assertThat(e.subject()).contains("unregistered-value"));

        int id = client.register("unregistered-value", NewsArticle.getClassSchema());
        assertThat(ByteBuffer.wrap(serializer.serialize("unregistered", fullArticle()), 1, 4).getInt())
                .isEqualTo(id);
    }

    @Test
    void shouldDecodeRecordWrittenWithOlderSchemaUsingReaderDefaults() throws Exception {
        Schema older = new Schema.Parser().parse(OLDER_NEWS_ARTICLE);
        int id = client.register("evolution-value", older);
        GenericRecord record = new GenericData.Record(older);
        record.put("id", "a-1");
        record.put("title", "Old title");
        record.put("description", "Old body");
        record.put("source", "Wire");

        NewsArticle decoded = new ConfluentAvroDeserializer<>(client, NewsArticle.class)
                .deserialize("evolution", wireFormat(id, older, record));

        assertThat(decoded.getId()).isEqualTo("a-1");
        assertThat(decoded.getTitle()).isEqualTo("Old title");
        assertThat(decoded.getSource()).isEqualTo("Wire");
        assertThat(decoded.getAuthor()).isNull();
        assertThat(decoded.getPublishedAt()).isNull();
        assertThat(decoded.getAttributes()).isEmpty();
    }

    @Test
    void shouldRejectBytesThatAreNotConfluentWireFormat() {
        ConfluentAvroDeserializer<NewsArticle> deserializer = new ConfluentAvroDeserializer<>(client,
                NewsArticle.class);

        assertReason(() -> deserializer.deserialize("t", null), Reason.NOT_WIRE_FORMAT, -1);
        assertReason(() -> deserializer.deserialize("t", new byte[] {0, 0, 1}), Reason.NOT_WIRE_FORMAT, -1);
        assertReason(() -> deserializer.deserialize("t", "{\"id\": \"json\"}".getBytes()), Reason.NOT_WIRE_FORMAT,
                -1);
    }

    @Test
    void shouldRejectUnknownSchemaId() {
        byte[] bytes = ByteBuffer.allocate(7).put((byte) 0).putInt(987_654).put(new byte[] {2, 'x'}).array();

        assertReason(() -> new ConfluentAvroDeserializer<>(client, NewsArticle.class).deserialize("t", bytes),
                Reason.UNKNOWN_SCHEMA_ID, 987_654);
    }

    @Test
    void shouldRejectWriterSchemaMissingARequiredReaderField() throws Exception {
        Schema withoutTitle = new Schema.Parser().parse(NEWS_ARTICLE_WITHOUT_TITLE);
        int id = client.register("no-title-value", withoutTitle);
        GenericRecord record = new GenericData.Record(withoutTitle);
        record.put("id", "a-2");
        record.put("description", "body");
        byte[] bytes = wireFormat(id, withoutTitle, record);

        RecordDecodeException error = assertReason(
                () -> new ConfluentAvroDeserializer<>(client, NewsArticle.class).deserialize("t", bytes),
                Reason.INCOMPATIBLE_WRITER_SCHEMA, id);
        assertThat(error.getMessage()).contains("title");
    }

    @Test
    void shouldRejectTruncatedTrailingAndGarbagePayloads() {
        ConfluentAvroSerde<NewsArticle> serde = new ConfluentAvroSerde<>(client, NewsArticle.class);
        byte[] good = serde.serializer().serialize("malformed", fullArticle());
        int id = ByteBuffer.wrap(good, 1, 4).getInt();
        byte[] truncated = Arrays.copyOf(good, good.length - 3);
        byte[] trailing = Arrays.copyOf(good, good.length + 2);
        // A string length prefix claiming ~1 GiB: must be rejected without trying to allocate it.
        byte[] hugeLength = ByteBuffer.allocate(10).put((byte) 0).putInt(id)
                .put(new byte[] {(byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07}).array();

        assertReason(() -> serde.deserializer().deserialize("malformed", truncated), Reason.MALFORMED_AVRO, id);
        assertReason(() -> serde.deserializer().deserialize("malformed", trailing), Reason.MALFORMED_AVRO, id);
        assertReason(() -> serde.deserializer().deserialize("malformed", hugeLength), Reason.MALFORMED_AVRO, id);
        assertThat(serde.deserializer().deserialize("malformed", good)).isEqualTo(fullArticle());
    }

    @Test
    void shouldKeepDecodingCachedSchemasAndSignalRetriableWhenRegistryIsDown() throws Exception {
        SchemaRegistryClient ownClient = SchemaRegistryClient.builder(registry.url())
                .requestTimeout(Duration.ofSeconds(2)).getRetries(2, Duration.ofMillis(50)).build();
        ConfluentAvroSerde<NewsArticle> serde = new ConfluentAvroSerde<>(ownClient, NewsArticle.class);
        byte[] cached = serde.serializer().serialize("outage", fullArticle());
        serde.deserializer().deserialize("outage", cached);
        Schema older = new Schema.Parser().parse(OLDER_NEWS_ARTICLE);
        int uncachedId = client.register("outage-older-value", older);
        GenericRecord record = new GenericData.Record(older);
        record.put("id", "a-3");
        record.put("title", "t");
        record.put("description", "d");
        byte[] uncached = wireFormat(uncachedId, older, record);

        registry.stop();
        try {
            assertThat(serde.deserializer().deserialize("outage", cached)).isEqualTo(fullArticle());
            assertThatThrownBy(() -> serde.deserializer().deserialize("outage", uncached))
                    .isInstanceOf(SchemaRegistryUnavailableException.class)
                    .isNotInstanceOf(RecordDecodeException.class);
        } finally {
            registry.start();
        }
        assertThat(serde.deserializer().deserialize("outage", uncached).getId()).isEqualTo("a-3");
    }

    @Test
    void shouldConfigureFromKafkaStyleProperties() {
        ConfluentAvroSerde<NewsArticle> serde = new ConfluentAvroSerde<>();
        serde.configure(Map.of(ConfluentAvroSerdeConfig.SCHEMA_REGISTRY_URL, registry.url(),
                ConfluentAvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE, NewsArticle.class.getName()), false);

        byte[] bytes = serde.serializer().serialize("configured", fullArticle());

        assertThat(serde.deserializer().deserialize("configured", bytes)).isEqualTo(fullArticle());
        assertThatThrownBy(() -> new ConfluentAvroSerde<NewsArticle>(NewsArticle.class).configure(Map.of(), false))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(ConfluentAvroSerdeConfig.SCHEMA_REGISTRY_URL);
        assertThatThrownBy(() -> new ConfluentAvroDeserializer<NewsArticle>().configure(
                Map.of(ConfluentAvroSerdeConfig.SCHEMA_REGISTRY_URL, registry.url(),
                        ConfluentAvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE, String.class.getName()), false))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("SpecificRecord");
    }

    @Test
    void shouldDecodeGeneratedClassesWithoutTrustedPackagesConfigured() {
        // Avro 1.12 only consults org.apache.avro.SERIALIZABLE_PACKAGES for java-class schema properties, which
        // classes generated with stringType=String do not use; this guards that no one has to set it.
        assertThat(System.getProperty("org.apache.avro.SERIALIZABLE_PACKAGES")).isNull();
        ConfluentAvroSerde<ClassifiedArticle> serde = new ConfluentAvroSerde<>(client, ClassifiedArticle.class);

        ClassifiedArticle decoded = serde.deserializer().deserialize("trusted",
                serde.serializer().serialize("trusted", classifiedArticle()));

        assertThat(decoded).isEqualTo(classifiedArticle());
        assertThat(decoded.getScores()).containsEntry("Business", 0.9f);
    }

    private static RecordDecodeException assertReason(Runnable decode, Reason reason, int schemaId) {
        try {
            decode.run();
        } catch (RecordDecodeException e) {
            assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
            assertThat(e.schemaId()).isEqualTo(schemaId);
            return e;
        }
        throw new AssertionError("expected a RecordDecodeException with reason " + reason);
    }

    private static byte[] wireFormat(int id, Schema schema, GenericRecord record) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(ByteBuffer.allocate(4).putInt(id).array());
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    static NewsArticle fullArticle() {
        return NewsArticle.newBuilder()
                .setId("a-1")
                .setTitle("Rates rise")
                .setDescription("The central bank raised rates.")
                .setSource("Reuters")
                .setUrl("https://example.com/a-1")
                .setPublishedAt(Instant.ofEpochMilli(1_700_000_000_123L))
                .setLanguage("en")
                .setAuthor("J. Doe")
                .setAttributes(Map.of("feed", "markets", "region", "eu"))
                .build();
    }

    static ClassifiedArticle classifiedArticle() {
        return ClassifiedArticle.newBuilder()
                .setId("a-1")
                .setTitle("Rates rise")
                .setDescription("The central bank raised rates.")
                .setSource(null)
                .setUrl("https://example.com/a-1")
                .setPublishedAt(Instant.ofEpochMilli(1_700_000_000_123L))
                .setLanguage("en")
                .setLabel("Business")
                .setLabelIndex(2)
                .setConfidence(0.9f)
                .setScores(Map.of("Business", 0.9f, "Sports", 0.1f))
                .setTruncated(true)
                .setModelName("news-bert")
                .setModelVersion("1.0.0")
                .setClassifiedAt(Instant.ofEpochMilli(1_700_000_100_000L))
                .setAttributes(Map.of("feed", "markets"))
                .build();
    }
}
