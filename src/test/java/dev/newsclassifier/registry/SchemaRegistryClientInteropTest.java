package dev.newsclassifier.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;

import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.newsclassifier.avro.NewsArticle;
import dev.newsclassifier.local.LocalKafkaStack;
import dev.newsclassifier.local.RegistryKind;
import dev.newsclassifier.testing.TestRegistries;

/**
 * The client against a real registry: the built-in one here, Apicurio Registry's Confluent-compatible API in
 * {@link ApicurioSchemaRegistryClientInteropTest}. What a real registry cannot be made to do on demand (5xx,
 * timeouts, 401) is {@link SchemaRegistryClientTest}'s, against a scripted stub. One instance per class, so that the
 * registry can be chosen by {@link #registryKind()}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SchemaRegistryClientInteropTest {

    private static final Schema V1 = record("{\"name\": \"id\", \"type\": \"string\"}");
    private static final Schema V2_WITH_DEFAULT = record("{\"name\": \"id\", \"type\": \"string\"},"
            + " {\"name\": \"lang\", \"type\": \"string\", \"default\": \"en\"}");
    private static final Schema V2_WITHOUT_DEFAULT = record("{\"name\": \"id\", \"type\": \"string\"},"
            + " {\"name\": \"lang\", \"type\": \"string\"}");

    private LocalKafkaStack stack;
    private SchemaRegistryClient client;
    private String unavailable;

    RegistryKind registryKind() {
        return RegistryKind.BUILT_IN;
    }

    @BeforeAll
    void startRegistry() {
        unavailable = TestRegistries.unavailable(registryKind()).orElse(null);
        if (unavailable == null) {
            stack = LocalKafkaStack.builder().onlyTopics(List.of()).registry(registryKind()).start();
            client = SchemaRegistryClient.create(stack.registryUrl());
        }
    }

    @BeforeEach
    void skipWhereTheRegistryCannotRun() {
        // Assumed per test, not per class, so that the reports list each test as skipped with this reason.
        assumeTrue(unavailable == null, unavailable);
    }

    @AfterAll
    void stopRegistry() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldRegisterSchemaAndServeItByIdToAnotherClient() {
        int id = client.register("news.raw-value", NewsArticle.getClassSchema());

        Schema fetched = freshClient().schemaById(id);

        assertThat(fetched).isEqualTo(NewsArticle.getClassSchema());
        assertThat(id).isPositive();
    }

    @Test
    void shouldGiveTheSameIdToTheSameSchemaInAnySubject() {
        int first = client.register("same-a-value", V1);
        int again = freshClient().register("same-a-value", V1);
        int otherSubject = client.register("same-b-value", V1);

        assertThat(again).isEqualTo(first);
        assertThat(otherSubject).isEqualTo(first);
    }

    @Test
    void shouldEncodeSubjectNamesThatNeedIt() {
        int id = client.register("news raw/ü-value", V1);

        assertThat(freshClient().lookupId("news raw/ü-value", V1)).isEqualTo(id);
        assertThat(freshClient().latestVersion("news raw/ü-value").subject()).isEqualTo("news raw/ü-value");
    }

    @Test
    void shouldLookUpAnIdWithoutRegistering() {
        int id = client.register("lookup-value", V1);

        assertThat(freshClient().lookupId("lookup-value", V1)).isEqualTo(id);
        assertThatThrownBy(() -> client.lookupId("lookup-value", V2_WITH_DEFAULT))
                .isInstanceOfSatisfying(SchemaNotFoundException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(40403);
                    assertThat(e.subject()).contains("lookup-value");
                });
        assertThatThrownBy(() -> client.lookupId("never-registered-value", V1))
                .isInstanceOfSatisfying(SchemaNotFoundException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(40401));
    }

    @Test
    void shouldReportUnknownIdsAndSubjectsAsNotFound() {
        assertThatThrownBy(() -> client.schemaById(987_654))
                .isInstanceOfSatisfying(SchemaNotFoundException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(40403);
                    assertThat(e.schemaId()).hasValue(987_654);
                });
        assertThatThrownBy(() -> client.latestVersion("nobody-value"))
                .isInstanceOfSatisfying(SchemaNotFoundException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(40401);
                    assertThat(e.subject()).contains("nobody-value");
                });
    }

    @Test
    void shouldRejectAnIncompatibleSchemaWith409() {
        client.register("incompatible-value", V1);

        assertThatThrownBy(() -> client.register("incompatible-value", V2_WITHOUT_DEFAULT))
                .isInstanceOfSatisfying(IncompatibleSchemaException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(409);
                    assertThat(e.subject()).isEqualTo("incompatible-value");
                    assertThat(e.getMessage()).contains("lang");
                });
        assertThat(client.latestVersion("incompatible-value").version()).isEqualTo(1);
    }

    @Test
    void shouldRegisterACompatibleEvolutionAsTheNewLatestVersion() {
        int v1 = client.register("evolving-value", V1);
        int v2 = client.register("evolving-value", V2_WITH_DEFAULT);

        RegisteredSchema latest = freshClient().latestVersion("evolving-value");

        assertThat(v2).isNotEqualTo(v1);
        assertThat(latest.subject()).isEqualTo("evolving-value");
        assertThat(latest.version()).isEqualTo(2);
        assertThat(latest.id()).isEqualTo(v2);
        assertThat(latest.schema()).isEqualTo(V2_WITH_DEFAULT);
        assertThat(freshClient().lookupId("evolving-value", V1)).isEqualTo(v1);
    }

    /** A client with empty caches, so that answers come from the registry. */
    private SchemaRegistryClient freshClient() {
        return SchemaRegistryClient.create(stack.registryUrl());
    }

    private static Schema record(String fields) {
        return new Schema.Parser().parse("{\"type\": \"record\", \"name\": \"Probe\", \"namespace\": \"test\","
                + " \"fields\": [" + fields + "]}");
    }
}
