package dev.newsclassifier.local;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.avro.Schema;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The local registry's state: schemas by global id, versions per subject, compatibility levels. Every change is
 * first written to a compacted Kafka topic and acknowledged, then applied in memory; on start the topic is replayed,
 * so ids survive restarts. Records use the key/value JSON layout of Confluent's {@code _schemas} topic. One writer per
 * topic: two registries sharing a topic would hand out the same ids.
 */
final class SchemaStore implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SchemaStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(15);

    /** One version of a subject. */
    record Version(String subject, int version, int id, Schema schema) {
    }

    private final String topic;
    private final KafkaProducer<String, String> producer;
    private final Map<Integer, Schema> schemasById = new HashMap<>();
    /** Identity of a schema is Avro's normalised JSON (docs, defaults and logical types kept), as in Confluent. */
    private final Map<String, Integer> idsBySchema = new HashMap<>();
    private final Map<String, TreeMap<Integer, Version>> subjects = new LinkedHashMap<>();
    private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
    private CompatibilityLevel globalLevel = CompatibilityLevel.BACKWARD;
    private int maxId;

    SchemaStore(String bootstrapServers, String topic) {
        this.topic = topic;
        replay(bootstrapServers);
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) WRITE_TIMEOUT.toMillis(),
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) WRITE_TIMEOUT.toMillis()),
                new StringSerializer(), new StringSerializer());
    }

    synchronized Optional<Schema> schemaById(int id) {
        return Optional.ofNullable(schemasById.get(id));
    }

    synchronized List<String> subjects() {
        return List.copyOf(subjects.keySet());
    }

    synchronized List<String> subjectsOf(int id) {
        return subjects.values().stream().flatMap(v -> v.values().stream())
                .filter(v -> v.id() == id).map(Version::subject).distinct().toList();
    }

    synchronized List<Integer> versions(String subject) {
        return List.copyOf(versionsOf(subject).keySet());
    }

    /** A version by number, or the latest for {@code latest} / {@code -1}. */
    synchronized Version version(String subject, String version) {
        TreeMap<Integer, Version> versions = versionsOf(subject);
        if ("latest".equals(version) || "-1".equals(version)) {
            return versions.lastEntry().getValue();
        }
        int number;
        try {
            number = Integer.parseInt(version);
        } catch (NumberFormatException e) {
            throw new RegistryError(422, RegistryError.INVALID_VERSION, "The specified version '" + version
                    + "' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "
                    + "\"latest\"");
        }
        Version found = versions.get(number);
        if (found == null) {
            throw RegistryError.versionNotFound(subject, version);
        }
        return found;
    }

    /** The version of the subject that holds this schema. */
    synchronized Version lookup(String subject, Schema schema) {
        TreeMap<Integer, Version> versions = versionsOf(subject);
        String identity = schema.toString();
        return versions.values().stream()
                .filter(v -> v.schema().toString().equals(identity))
                .findFirst()
                .orElseThrow(() -> RegistryError.schemaNotFound("not registered under subject '" + subject + "'"));
    }

    /** Registers the schema under the subject, or returns the version that already holds it. */
    synchronized Version register(String subject, Schema schema) {
        TreeMap<Integer, Version> versions = subjects.getOrDefault(subject, new TreeMap<>());
        String identity = schema.toString();
        for (Version existing : versions.values()) {
            if (existing.schema().toString().equals(identity)) {
                return existing;
            }
        }
        List<String> violations = level(subject).violations(schema,
                versions.values().stream().map(Version::schema).toList());
        if (!violations.isEmpty()) {
            throw new RegistryError(409, RegistryError.INCOMPATIBLE_SCHEMA, "Schema being registered is incompatible"
                    + " with an earlier schema for subject \"" + subject + "\" under compatibility level "
                    + level(subject) + ": " + String.join("; ", violations));
        }
        int id = idsBySchema.getOrDefault(identity, maxId + 1);
        int number = versions.isEmpty() ? 1 : versions.lastKey() + 1;
        ObjectNode key = JSON.createObjectNode().put("keytype", "SCHEMA").put("subject", subject)
                .put("version", number).put("magic", 1);
        ObjectNode value = JSON.createObjectNode().put("subject", subject).put("version", number).put("id", id)
                .put("schema", identity).put("deleted", false);
        write(key, value);
        Version added = new Version(subject, number, id, schema);
        apply(added);
        return added;
    }

    /** Compatibility violations of the schema against one version, or all up to it when the level is transitive. */
    synchronized List<String> compatibilityViolations(String subject, String version, Schema schema) {
        Version target = version(subject, version);
        List<Schema> existing = versionsOf(subject).headMap(target.version(), true).values().stream()
                .map(Version::schema).toList();
        return level(subject).violations(schema, existing);
    }

    synchronized CompatibilityLevel globalLevel() {
        return globalLevel;
    }

    synchronized Optional<CompatibilityLevel> subjectLevel(String subject) {
        return Optional.ofNullable(subjectLevels.get(subject));
    }

    /** Sets the level of a subject, or the global one for a null subject. */
    synchronized void setLevel(String subject, CompatibilityLevel level) {
        ObjectNode key = JSON.createObjectNode().put("keytype", "CONFIG").put("magic", 0);
        key.put("subject", subject);
        write(key, JSON.createObjectNode().put("compatibilityLevel", level.name()));
        applyLevel(subject, level);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }

    private CompatibilityLevel level(String subject) {
        return subjectLevels.getOrDefault(subject, globalLevel);
    }

    private TreeMap<Integer, Version> versionsOf(String subject) {
        TreeMap<Integer, Version> versions = subjects.get(subject);
        if (versions == null || versions.isEmpty()) {
            throw RegistryError.subjectNotFound(subject);
        }
        return versions;
    }

    private void apply(Version version) {
        schemasById.putIfAbsent(version.id(), version.schema());
        idsBySchema.putIfAbsent(version.schema().toString(), version.id());
        subjects.computeIfAbsent(version.subject(), s -> new TreeMap<>()).put(version.version(), version);
        maxId = Math.max(maxId, version.id());
    }

    private void applyLevel(String subject, CompatibilityLevel level) {
        if (subject == null) {
            globalLevel = level;
        } else {
            subjectLevels.put(subject, level);
        }
    }

    /** Produces one record and waits for the broker's acknowledgement: an unacknowledged change is no change. */
    private void write(JsonNode key, JsonNode value) {
        try {
            producer.send(new ProducerRecord<>(topic, 0, key.toString(), value.toString()))
                    .get(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new RegistryError(500, RegistryError.STORE_ERROR, "Could not store the change in Kafka topic "
                    + topic + ": " + cause.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryError(500, RegistryError.STORE_ERROR, "Interrupted while storing the change");
        }
    }

    private void replay(String bootstrapServers) {
        TopicPartition partition = new TopicPartition(topic, 0);
        int records = 0;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition), Duration.ofSeconds(30)).get(partition);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (consumer.position(partition, Duration.ofSeconds(30)) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read schema topic " + topic + " to offset " + end
                            + " within 60 s");
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    replayRecord(record);
                    records++;
                }
            }
        }
        LOG.debugf("replayed %d records from %s: %d schemas, %d subjects", records, topic, schemasById.size(),
                subjects.size());
    }

    private void replayRecord(ConsumerRecord<String, String> record) {
        try {
            JsonNode key = JSON.readTree(record.key());
            if (record.value() == null) {
                return;
            }
            JsonNode value = JSON.readTree(record.value());
            switch (key.path("keytype").asText()) {
                case "SCHEMA" -> {
                    if (!value.path("deleted").asBoolean(false)) {
                        apply(new Version(value.path("subject").asText(), value.path("version").asInt(),
                                value.path("id").asInt(), new Schema.Parser().parse(value.path("schema").asText())));
                    }
                }
                case "CONFIG" -> applyLevel(key.path("subject").isTextual() ? key.path("subject").asText() : null,
                        CompatibilityLevel.parse(value.path("compatibilityLevel").asText()));
                default -> LOG.debugf("skipping %s record at offset %d", key.path("keytype").asText(),
                        record.offset());
            }
        } catch (JsonProcessingException | RuntimeException e) {
            LOG.warnf("skipping unreadable record at offset %d of %s: %s", record.offset(), topic, e.getMessage());
        }
    }
}
