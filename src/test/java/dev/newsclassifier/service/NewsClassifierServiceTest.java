package dev.newsclassifier.service;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.newsclassifier.avro.ClassifiedArticle;
import dev.newsclassifier.inference.Classification;
import dev.newsclassifier.inference.OnnxClassifier;
import dev.newsclassifier.inference.TextRule;
import dev.newsclassifier.registry.SchemaRegistryClient;
import dev.newsclassifier.serde.RecordDecodeException;
import dev.newsclassifier.testing.LocalKafkaStackResource;
import dev.newsclassifier.topology.DeadLetters;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** The service as Quarkus runs it, against an in-JVM Kafka broker and the local schema registry. */
@QuarkusTest
@QuarkusTestResource(LocalKafkaStackResource.class)
class NewsClassifierServiceTest {

    @Inject
    NewsConfig config;

    @Inject
    SchemaRegistryClient registry;

    @Inject
    OnnxClassifier classifier;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void shouldEmitExactlyOneLabeledEventPerArticle() throws Exception {
        List<ServiceTestSupport.Sample> samples = ServiceTestSupport.samples(500, "once");
        ServiceTestSupport.publish(bootstrap, registry, config.topics().raw(), samples);

        List<ConsumerRecord<String, ClassifiedArticle>> records = ServiceTestSupport.readLabeled(bootstrap, registry,
                config.topics().labeled(), 500, Duration.ofSeconds(120)).stream()
                .filter(r -> r.key().startsWith("once-")).toList();

        assertThat(records).hasSize(500);
        Map<String, ClassifiedArticle> byId = records.stream()
                .collect(Collectors.toMap(ConsumerRecord::key, ConsumerRecord::value));
        assertThat(byId).hasSize(500);
        List<String> texts = samples.stream()
                .map(s -> TextRule.apply(s.article().getTitle(), s.article().getDescription())).toList();
        List<Classification> direct = classifier.classify(texts);
        long agreeingWithPeople = 0;
        for (int i = 0; i < samples.size(); i++) {
            ClassifiedArticle result = byId.get(samples.get(i).article().getId());
            assertThat(result.getLabel()).as("stream and model agree on %s", result.getId())
                    .isEqualTo(classifier.model().label(direct.get(i).labelIndex()));
            assertThat(result.getModelName()).isEqualTo(classifier.model().name());
            assertThat(result.getScores()).hasSize(4);
            agreeingWithPeople += result.getLabel().equals(samples.get(i).label()) ? 1 : 0;
        }
        assertThat(agreeingWithPeople).as("labels matching the handwritten sample").isGreaterThanOrEqualTo(450);
    }

    @Test
    void shouldRouteUndecodableRecordsToDeadLettersWithTheirReason() {
        byte[] notAvro = "plain text, not Avro".getBytes(StandardCharsets.UTF_8);
        byte[] unknownSchema = {0, 0, 0, 0x7f, 0x7f, 2, 'x'};
        ServiceTestSupport.publishRaw(bootstrap, config.topics().raw(), bytes("dlq-text"), notAvro);
        ServiceTestSupport.publishRaw(bootstrap, config.topics().raw(), bytes("dlq-schema"), unknownSchema);
        ServiceTestSupport.publishRaw(bootstrap, config.topics().raw(), bytes("dlq-null"), null);

        Map<String, ConsumerRecord<byte[], byte[]>> dead = ServiceTestSupport.readRaw(bootstrap,
                config.topics().deadLetter(), 3, Duration.ofSeconds(60)).stream()
                .filter(r -> new String(r.key(), StandardCharsets.UTF_8).startsWith("dlq-"))
                .collect(Collectors.toMap(r -> new String(r.key(), StandardCharsets.UTF_8), Function.identity()));

        assertThat(dead).containsOnlyKeys("dlq-text", "dlq-schema", "dlq-null");
        assertThat(dead.get("dlq-text").value()).isEqualTo(notAvro);
        assertThat(reason(dead.get("dlq-text").headers())).isEqualTo(RecordDecodeException.Reason.NOT_WIRE_FORMAT.name());
        assertThat(dead.get("dlq-schema").value()).isEqualTo(unknownSchema);
        assertThat(reason(dead.get("dlq-schema").headers())).isEqualTo(RecordDecodeException.Reason.UNKNOWN_SCHEMA_ID.name());
        assertThat(reason(dead.get("dlq-null").headers())).isEqualTo(DeadLetters.NULL_VALUE);
        assertThat(header(dead.get("dlq-text").headers(), DeadLetters.SOURCE_TOPIC)).isEqualTo(config.topics().raw());
    }

    @Test
    void shouldReportReadyOnceTheModelIsLoadedAndTheStreamRuns() {
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body(containsString("RUNNING"))
                .body(containsString(classifier.model().name()));
        given().when().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void shouldPublishPipelineMetricsForPrometheus() {
        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("news_articles_received_total"))
                .body(containsString("news_batch_size"))
                .body(containsString("news_inference_duration_seconds"))
                .body(containsString("news_model_info{"));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String reason(Headers headers) {
        return header(headers, DeadLetters.REASON);
    }

    private static String header(Headers headers, String key) {
        return new String(headers.lastHeader(key).value(), StandardCharsets.UTF_8);
    }
}
