package dev.newsclassifier.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.newsclassifier.avro.NewsArticle;
import dev.newsclassifier.local.EmbeddedKafkaBroker;
import dev.newsclassifier.local.LocalSchemaRegistry;
import dev.newsclassifier.serde.ConfluentAvroSerdeConfig;
import dev.newsclassifier.serde.ConfluentAvroSerializer;
import dev.newsclassifier.testing.SelfSignedCertificate;

/** The client against a registry that serves HTTPS with a self-signed certificate and demands basic auth. */
class SchemaRegistryTlsTest {

    private static final String USER_INFO = "classifier:tls-test-Secret-7f3a";
    private static final Schema SCHEMA = NewsArticle.getClassSchema();

    @TempDir
    static Path certificates;

    private static SelfSignedCertificate certificate;
    private static EmbeddedKafkaBroker broker;
    private static LocalSchemaRegistry registry;

    @BeforeAll
    static void startHttpsRegistry() throws Exception {
        certificate = SelfSignedCertificate.create(certificates, "store-Password-91c2");
        broker = EmbeddedKafkaBroker.create().start();
        registry = LocalSchemaRegistry.builder(broker).requireBasicAuth(USER_INFO)
                .https(certificate.serverContext()).build().start();
    }

    @AfterAll
    static void stopHttpsRegistry() {
        if (registry != null) {
            registry.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void shouldTalkToAnHttpsRegistryWithTheTruststoreAndBasicAuth() {
        SchemaRegistryClient client = SchemaRegistryClient.builder(registry.url()).basicAuth(USER_INFO)
                .sslContext(RegistryTls.sslContext(certificate.truststore(), null)).build();

        int id = client.register("tls-value", SCHEMA);

        assertThat(registry.url()).startsWith("https://127.0.0.1:");
        SchemaRegistryClient another = SchemaRegistryClient.builder(registry.url()).basicAuth(USER_INFO)
                .sslContext(RegistryTls.sslContext(certificate.truststore(), null)).build();
        assertThat(another.schemaById(id)).isEqualTo(SCHEMA);
    }

    @Test
    void shouldFailClearlyWithoutTheTruststoreAndNotRetry() {
        SchemaRegistryClient client = SchemaRegistryClient.builder(registry.url()).basicAuth(USER_INFO)
                .getRetries(3, Duration.ofSeconds(5)).build();

        long started = System.nanoTime();
        assertThatThrownBy(() -> client.schemaById(1))
                .isExactlyInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("TLS with Schema Registry " + registry.url() + " failed")
                .hasMessageContaining("news.registry.truststore.location")
                .hasMessageNotContaining("tls-test-Secret-7f3a");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void shouldNameTheUrlButNeverThePasswordWhenTheRegistryRejectsTheCredentials() {
        SchemaRegistryClient client = SchemaRegistryClient.builder(registry.url())
                .basicAuth("classifier:wrong-Secret-0b6e")
                .sslContext(RegistryTls.sslContext(certificate.truststore(), null)).build();

        assertThatThrownBy(() -> client.register("tls-value", SCHEMA))
                .isExactlyInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("Schema Registry " + registry.url() + " answered 401")
                .hasMessageNotContaining("wrong-Secret-0b6e")
                .hasMessageNotContaining("classifier");
        assertThat(client.toString()).doesNotContain("wrong-Secret-0b6e");
    }

    @Test
    void shouldTakeTheTruststoreFromConfluentSettings() {
        ConfluentAvroSerializer<NewsArticle> serializer = new ConfluentAvroSerializer<>();
        serializer.configure(Map.of(ConfluentAvroSerdeConfig.SCHEMA_REGISTRY_URL, registry.url(),
                ConfluentAvroSerdeConfig.BASIC_AUTH_USER_INFO, USER_INFO,
                ConfluentAvroSerdeConfig.SSL_TRUSTSTORE_LOCATION, certificate.truststore().location().toString(),
                ConfluentAvroSerdeConfig.SSL_TRUSTSTORE_PASSWORD, certificate.password(),
                ConfluentAvroSerdeConfig.SSL_TRUSTSTORE_TYPE, "PKCS12"), false);

        byte[] bytes = serializer.serialize("tls", NewsArticle.newBuilder().setId("a-1").setTitle("Title")
                .setDescription("Description").build());

        assertThat(bytes[0]).as("Confluent magic byte").isZero();
    }

    @Test
    void shouldNameAnUnreadableTruststoreButNotItsPassword() {
        RegistryTls.StoreFile wrongPassword = new RegistryTls.StoreFile(certificate.truststore().location(),
                "not-the-Password-55d1", "PKCS12");

        assertThatThrownBy(() -> RegistryTls.sslContext(wrongPassword, null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(certificate.truststore().location().toString())
                .hasMessageNotContaining("not-the-Password-55d1");
        assertThat(wrongPassword.toString()).doesNotContain("not-the-Password-55d1");
    }
}
