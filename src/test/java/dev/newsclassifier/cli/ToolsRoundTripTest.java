package dev.newsclassifier.cli;

import static dev.newsclassifier.cli.CommandResult.execute;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.newsclassifier.avro.ClassifiedArticle;
import dev.newsclassifier.registry.SchemaRegistryClient;
import dev.newsclassifier.serde.ConfluentAvroDeserializer;
import dev.newsclassifier.serde.ConfluentAvroSerializer;
import dev.newsclassifier.service.NewsConfig;
import dev.newsclassifier.testing.LocalKafkaStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The tools against a real broker and the running service: replay a labeled file, let the
 * service classify it, and evaluate the run; the figures must match {@code classify} on the
 * same file. Commands run in-process through picocli, pointed at the test broker and registry.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaStackResource.class)
class ToolsRoundTripTest {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(ToolsRoundTripTest.class);
    private static final int ARTICLES = 40;
    private static final String RUN_ID = "roundtrip-" + UUID.randomUUID().toString().substring(0, 8);
    private static Path workDir;
    private static Path input;
    private static CommandResult replay;

    @Inject
    NewsConfig config;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "news.registry.url")
    String registryUrl;

    private List<String> connection(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap-servers", bootstrap, "--registry-url", registryUrl));
        return all;
    }

    /** Replays the 40-article file (with one malformed row, skipped) once for all tests. */
    private synchronized CommandResult replayed() throws IOException {
        if (replay == null) {
            workDir = Files.createTempDirectory("tools-roundtrip-");
            input = ToolTestData.agNewsCsv(workDir.resolve("roundtrip.csv"), ARTICLES, 17);
            replay = execute(connection("replay", "--file", input.toString(), "--topic", config.topics().raw(),
                    "--run-id", RUN_ID, "--skip-malformed").toArray(String[]::new));
        }
        return replay;
    }

    private CommandResult evaluate(String... extra) throws IOException {
        replayed();
        List<String> args = connection("evaluate", "--run-id", RUN_ID, "--expected", Integer.toString(ARTICLES),
                "--timeout", "180");
        args.addAll(List.of(extra));
        return execute(args.toArray(String[]::new));
    }

    @Test
    void shouldReportTheSameAccuracyThroughKafkaAsClassifyOnTheSameFile() throws IOException {
        var replayResult = replayed();
        assertThat(replayResult.exit()).as("replay exit; stderr:%n%s", replayResult.err()).isZero();
        assertThat(replayResult.err()).contains("skipped: ").contains("roundtrip.csv:18: label 'Sports' is not a number");
        assertThat(replayResult.out()).contains("Published 40 article(s)").contains("as run " + RUN_ID);

        Path evaluateDir = workDir.resolve("evaluate");
        var evaluated = evaluate("--topic", config.topics().labeled(), "--report-dir", evaluateDir.toString());
        Path classifyDir = workDir.resolve("classify");
        var classified = execute("classify", "--input", input.toString(), "--skip-malformed", "--model-dir",
                config.model().dir(), "--report-dir", classifyDir.toString());

        assertThat(evaluated.exit()).as("evaluate exit; out:%n%s%nerr:%n%s", evaluated.out(), evaluated.err()).isZero();
        assertThat(classified.exit()).as("classify exit; err:%n%s", classified.err()).isZero();
        JsonNode stream = new ObjectMapper().readTree(evaluateDir.resolve("report.json").toFile());
        JsonNode direct = new ObjectMapper().readTree(classifyDir.resolve("report.json").toFile());
        assertThat(stream.get("articles").asInt()).isEqualTo(ARTICLES);
        assertThat(stream.get("labeled").asInt()).isEqualTo(ARTICLES);
        assertThat(direct.get("articles").asInt()).isEqualTo(ARTICLES);
        assertThat(stream.at("/metrics/accuracy").asDouble()).as("accuracy through Kafka vs classify")
                .isEqualTo(direct.at("/metrics/accuracy").asDouble());
        assertThat(stream.at("/metrics/confusion")).isEqualTo(direct.at("/metrics/confusion"));
        assertThat(stream.at("/metrics/macro_f1").asDouble()).isEqualTo(direct.at("/metrics/macro_f1").asDouble());
        assertThat(stream.at("/metrics/accuracy").asDouble()).isGreaterThanOrEqualTo(0.8);
        assertThat(stream.at("/latency/count").asInt()).isEqualTo(ARTICLES);
        assertThat(stream.at("/latency/p50").asLong()).isBetween(0L, 120_000L);
        assertThat(stream.at("/latency/p99").asLong()).isGreaterThanOrEqualTo(stream.at("/latency/p95").asLong());
        assertThat(stream.at("/throughput/articles_per_second").asDouble()).isPositive();
        assertThat(evaluateDir.resolve("report.html")).exists();
        assertThat(evaluated.out()).contains("Run " + RUN_ID)
                .containsPattern("accuracy +\\d\\.\\d{4} \\(\\d+ of 40\\)")
                .containsPattern("end-to-end latency   p50 \\d+ ms, p95 \\d+ ms, p99 \\d+ ms");
        LOG.infof("Round trip: accuracy through Kafka %.4f, classify %.4f, latency p50 %d ms p99 %d ms",
                stream.at("/metrics/accuracy").asDouble(), direct.at("/metrics/accuracy").asDouble(),
                stream.at("/latency/p50").asLong(), stream.at("/latency/p99").asLong());
    }

    @Test
    void shouldCompareTwoLabeledTopicsAndListTheArticlesTheyLabelDifferently() throws Exception {
        replayed();
        assertThat(evaluate("--topic", config.topics().labeled(), "--report-dir", workDir.resolve("first").toString())
                .exit()).isZero();
        String candidateTopic = "news.labeled.candidate-" + UUID.randomUUID().toString().substring(0, 6);
        List<String> flipped = writeCandidate(candidateTopic, 5);

        Path reportDir = workDir.resolve("compare");
        var compared = evaluate("--compare", config.topics().labeled(), candidateTopic, "--report-dir",
                reportDir.toString());

        assertThat(compared.exit()).as("evaluate --compare; err:%n%s", compared.err()).isZero();
        JsonNode comparison = new ObjectMapper().readTree(reportDir.resolve("report.json").toFile()).get("comparison");
        assertThat(comparison.get("compared").asInt()).isEqualTo(ARTICLES);
        assertThat(comparison.get("agreement").asDouble()).isEqualTo(35.0 / 40);
        List<String> differing = new ArrayList<>();
        comparison.get("differences").forEach(d -> differing.add(d.get("id").asText()));
        assertThat(differing).containsExactlyInAnyOrderElementsOf(flipped);
        assertThat(compared.out()).contains("agreement            0.8750 (35 of 40 articles in both; 5 differ)")
                .contains(flipped.get(0));
        assertThat(Files.readString(reportDir.resolve("report.html"))).contains("class=\"difference\"");
    }

    @Test
    void shouldConsumeLabeledResultsAsJsonLinesOrATableFilteredByLabelAndConfidence() throws Exception {
        replayed();
        assertThat(evaluate("--topic", config.topics().labeled(), "--report-dir", workDir.resolve("c").toString())
                .exit()).isZero();

        var json = execute(connection("consume", "--topic", config.topics().labeled(), "--from-beginning", "--max",
                "5", "--json", "--idle-exit", "30").toArray(String[]::new));
        var sports = execute(connection("consume", "--topic", config.topics().labeled(), "--from-beginning",
                "--label", "Sports", "--min-confidence", "0.5", "--max", "3", "--idle-exit", "30").toArray(String[]::new));

        assertThat(json.exit()).as("consume --json; err:%n%s", json.err()).isZero();
        List<String> lines = json.out().lines().toList();
        assertThat(lines).hasSize(5);
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertThat(first.get("label").asText()).isIn(ToolTestData.LABELS);
        assertThat(first.get("scores")).hasSize(4);
        assertThat(first.get("topic").asText()).isEqualTo(config.topics().labeled());
        assertThat(first.get("headers").isObject()).isTrue();
        assertThat(first.get("classified_at").asText()).matches("\\d{4}-\\d{2}-\\d{2}T.*Z");
        var untilIdle = execute(connection("consume", "--topic", config.topics().labeled(), "--from-beginning",
                "--label", "World", "--idle-exit", "3").toArray(String[]::new));
        assertThat(untilIdle.exit()).isZero();
        long worldRows = untilIdle.out().lines().skip(1).count();
        assertThat(worldRows).isGreaterThanOrEqualTo(10);
        assertThat(untilIdle.err()).contains(worldRows + " record(s) printed.");
        assertThat(sports.exit()).isZero();
        assertThat(sports.err()).contains("3 record(s) printed.");
        List<String> rows = sports.out().lines().toList();
        assertThat(rows.get(0)).matches("ID +LABEL +CONF +TITLE");
        assertThat(rows).hasSize(4);
        assertThat(rows.subList(1, 4)).allSatisfy(row -> assertThat(row).containsPattern("^\\S+ +Sports +\\d\\.\\d{3}  "));
    }

    @Test
    void shouldPublishOneArticleAndPrintItsTopicPartitionAndOffset() {
        var result = execute(connection("publish", "--topic", config.topics().raw(), "--id", "published-by-hand",
                "--title", "Champions win the cup final", "--description", "A late goal decided it.", "--language", "en")
                .toArray(String[]::new));

        assertThat(result.exit()).as("publish; err:%n%s", result.err()).isZero();
        List<String> rows = result.out().lines().toList();
        assertThat(rows.get(0)).matches("ID +TOPIC +PARTITION +OFFSET");
        assertThat(rows.get(1)).matches("published-by-hand +" + config.topics().raw().replace(".", "\\.") + " +[0-2] +\\d+");
        assertThat(rows.get(2)).isEqualTo("Published 1 of 1 article(s) to " + config.topics().raw() + ".");
    }

    /** Copies the run's labeled records to a new topic, with the labels of the first {@code flips} ids changed. */
    private List<String> writeCandidate(String topic, int flips) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        SchemaRegistryClient registry = SchemaRegistryClient.create(registryUrl);
        List<ConsumerRecord<String, ClassifiedArticle>> records = new ArrayList<>();
        try (KafkaConsumer<String, ClassifiedArticle> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.GROUP_ID_CONFIG, "candidate-" + topic,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ConfluentAvroDeserializer<>(registry, ClassifiedArticle.class))) {
            consumer.subscribe(List.of(config.topics().labeled()));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (records.size() < ARTICLES && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, ClassifiedArticle> record : consumer.poll(Duration.ofMillis(200))) {
                    Header run = record.headers().lastHeader(ToolSupport.RUN_ID_HEADER);
                    if (run != null && RUN_ID.equals(new String(run.value(), StandardCharsets.UTF_8))) {
                        records.add(record);
                    }
                }
            }
        }
        assertThat(records).hasSize(ARTICLES);
        records.sort(Comparator.comparing(ConsumerRecord::key));
        List<String> flipped = new ArrayList<>();
        try (KafkaProducer<String, ClassifiedArticle> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(),
                new ConfluentAvroSerializer<>(registry))) {
            for (int i = 0; i < records.size(); i++) {
                ConsumerRecord<String, ClassifiedArticle> record = records.get(i);
                ClassifiedArticle article = ClassifiedArticle.newBuilder(record.value()).build();
                if (i < flips) {
                    int index = (ToolTestData.LABELS.indexOf(article.getLabel()) + 1) % ToolTestData.LABELS.size();
                    article.setLabel(ToolTestData.LABELS.get(index));
                    article.setLabelIndex(index);
                    flipped.add(record.key());
                }
                producer.send(new ProducerRecord<>(topic, null, record.timestamp(), record.key(), article,
                        record.headers()));
            }
            producer.flush();
        }
        return flipped;
    }
}
