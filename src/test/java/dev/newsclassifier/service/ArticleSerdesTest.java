package dev.newsclassifier.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.newsclassifier.avro.NewsArticle;
import dev.newsclassifier.topology.ArticleDecoder;
import dev.newsclassifier.topology.UndecodableArticleException;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

/** The door left open for serdes other than the built-in one, such as Confluent's SpecificAvroSerde. */
class ArticleSerdesTest {

    /** Stands in for a third-party serde: records its configuration, decodes "ok", rejects anything else. */
    public static final class RecordingSerde implements Serde<NewsArticle> {
        static Map<String, Object> lastConfigs;

        @Override
        public void configure(Map<String, ?> configs, boolean isKey) {
            lastConfigs = Map.copyOf(new java.util.HashMap<String, Object>(configs));
        }

        @Override
        public Serializer<NewsArticle> serializer() {
            return (topic, article) -> article.getId().getBytes();
        }

        @Override
        public Deserializer<NewsArticle> deserializer() {
            return (topic, bytes) -> {
                if (!"ok".equals(new String(bytes))) {
                    throw new SerializationException("unknown magic");
                }
                return NewsArticle.newBuilder().setId("ok").setTitle("t").setDescription("d").build();
            };
        }
    }

    @Test
    void shouldInstantiateAndConfigureASerdeNamedByClass() {
        Serde<NewsArticle> serde = ArticleSerdes.foreignSerde(RecordingSerde.class.getName(),
                Map.of("schema.registry.url", "http://registry:8081", "specific.avro.reader", true));

        assertThat(serde).isInstanceOf(RecordingSerde.class);
        assertThat(RecordingSerde.lastConfigs).containsEntry("schema.registry.url", "http://registry:8081")
                .containsEntry("specific.avro.reader", true);
    }

    @Test
    void shouldDeadLetterWhatAForeignDeserializerRejects() {
        ArticleDecoder decoder = ArticleSerdes.foreignDecoder(new RecordingSerde().deserializer());

        assertThat(decoder.decode("news.raw", new RecordHeaders(), "ok".getBytes()).getId()).isEqualTo("ok");
        assertThatThrownBy(() -> decoder.decode("news.raw", new RecordHeaders(), "bad".getBytes()))
                .isInstanceOf(UndecodableArticleException.class)
                .satisfies(e -> assertThat(((UndecodableArticleException) e).reason())
                        .isEqualTo(ArticleSerdes.FOREIGN_DECODE_FAILURE));
    }

    @Test
    void shouldExplainAnUnknownSerdeClass() {
        assertThatThrownBy(() -> ArticleSerdes.foreignSerde("io.confluent.kafka.streams.serdes.avro.SpecificAvroSerde", Map.of()))
                .hasMessageContaining("news.registry.serde=io.confluent.kafka.streams.serdes.avro.SpecificAvroSerde")
                .hasMessageContaining("nor a Kafka Serde class on the classpath");
    }

    @Test
    void shouldGiveAForeignSerdeTheRegistryCredentialsAndStoresInConfluentNames() {
        // Quarkus's converter reads the "100ms" style of the mapping's duration defaults.
        NewsConfig config = new SmallRyeConfigBuilder().withMapping(NewsConfig.class)
                .withConverter(Duration.class, 100, new DurationConverter())
                .withSources(new PropertiesConfigSource(Map.of(
                        "news.registry.basic-auth-user-info", "reader:pw",
                        "news.registry.truststore.location", "/etc/registry/truststore.p12",
                        "news.registry.truststore.password", "trust-pw",
                        "news.registry.keystore.location", "/etc/registry/client.jks",
                        "news.registry.keystore.password", "key-pw",
                        "news.registry.keystore.type", "JKS"), "test", 100))
                .build().getConfigMapping(NewsConfig.class);

        assertThat(ArticleSerdes.registryCredentials(config.registry())).containsOnly(
                Map.entry("basic.auth.credentials.source", "USER_INFO"),
                Map.entry("basic.auth.user.info", "reader:pw"),
                Map.entry("schema.registry.ssl.truststore.location", "/etc/registry/truststore.p12"),
                Map.entry("schema.registry.ssl.truststore.password", "trust-pw"),
                Map.entry("schema.registry.ssl.truststore.type", "PKCS12"),
                Map.entry("schema.registry.ssl.keystore.location", "/etc/registry/client.jks"),
                Map.entry("schema.registry.ssl.keystore.password", "key-pw"),
                Map.entry("schema.registry.ssl.keystore.type", "JKS"),
                Map.entry("schema.registry.ssl.key.password", "key-pw"));
    }
}
