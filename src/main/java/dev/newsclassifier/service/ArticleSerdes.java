package dev.newsclassifier.service;

import dev.newsclassifier.avro.ArticleFeedback;
import dev.newsclassifier.avro.ClassifiedArticle;
import dev.newsclassifier.avro.NewsArticle;
import dev.newsclassifier.registry.RegistryTls;
import dev.newsclassifier.registry.SchemaRegistryClient;
import dev.newsclassifier.serde.ConfluentAvroDeserializer;
import dev.newsclassifier.serde.ConfluentAvroSerde;
import dev.newsclassifier.serde.ConfluentAvroSerdeConfig;
import dev.newsclassifier.serde.RecordDecodeException;
import dev.newsclassifier.topology.ArticleDecoder;
import dev.newsclassifier.topology.UndecodableArticleException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Chooses the Avro serdes by configuration ({@code news.registry.serde}): the built-in Confluent
 * wire-format serde with one shared registry client, or a user-supplied {@code Serde} class
 * (such as Confluent's {@code SpecificAvroSerde}) configured with the {@code kafka-streams.*}
 * properties plus the registry URL, credentials and TLS stores.
 */
@ApplicationScoped
public class ArticleSerdes {

    static final String BUILT_IN = "confluent-wire";
    static final String FOREIGN_DECODE_FAILURE = "DESERIALIZATION_FAILED";

    @Produces
    @Singleton
    SchemaRegistryClient registryClient(NewsConfig config) {
        SchemaRegistryClient.Builder builder = SchemaRegistryClient.builder(config.registry().url());
        config.registry().basicAuthUserInfo().ifPresent(builder::basicAuth);
        RegistryTls.StoreFile truststore = storeFile(config.registry().truststore());
        RegistryTls.StoreFile keystore = storeFile(config.registry().keystore());
        if (truststore != null || keystore != null) {
            builder.sslContext(RegistryTls.sslContext(truststore, keystore));
        }
        return builder.build();
    }

    ArticleDecoder decoder(NewsConfig config, SchemaRegistryClient client) {
        if (BUILT_IN.equals(config.registry().serde())) {
            ConfluentAvroDeserializer<NewsArticle> deserializer = new ConfluentAvroDeserializer<>(client, NewsArticle.class);
            return (topic, headers, value) -> {
                try {
                    return deserializer.deserialize(topic, headers, value);
                } catch (RecordDecodeException e) {
                    throw new UndecodableArticleException(e.reason().name(), e.getMessage(), e);
                }
            };
        }
        return foreignDecoder(this.<NewsArticle>foreignSerde(config).deserializer());
    }

    /** Reads feedback records, with the registry the service's other serdes use. */
    Deserializer<ArticleFeedback> feedbackDeserializer(NewsConfig config, SchemaRegistryClient client) {
        if (config.registry().serde().equals(BUILT_IN)) {
            return new ConfluentAvroDeserializer<>(client, ArticleFeedback.class);
        }
        Serde<ArticleFeedback> serde = foreignSerde(config);
        return serde.deserializer();
    }

    Serde<ClassifiedArticle> labeledSerde(NewsConfig config, SchemaRegistryClient client) {
        if (BUILT_IN.equals(config.registry().serde())) {
            ConfluentAvroSerde<ClassifiedArticle> serde = new ConfluentAvroSerde<>(client, ClassifiedArticle.class);
            serde.configure(Map.of(ConfluentAvroSerdeConfig.AUTO_REGISTER_SCHEMAS, config.registry().autoRegister()), false);
            return serde;
        }
        return foreignSerde(config);
    }

    private <T> Serde<T> foreignSerde(NewsConfig config) {
        Map<String, Object> configs = new HashMap<>();
        for (String name : ConfigProvider.getConfig().getPropertyNames()) {
            if (name.startsWith("kafka-streams.")) {
                ConfigProvider.getConfig().getOptionalValue(name, String.class)
                        .ifPresent(value -> configs.put(name.substring("kafka-streams.".length()), value));
            }
        }
        configs.put(ConfluentAvroSerdeConfig.SCHEMA_REGISTRY_URL, config.registry().url());
        configs.put(ConfluentAvroSerdeConfig.AUTO_REGISTER_SCHEMAS, config.registry().autoRegister());
        configs.put("specific.avro.reader", true);
        configs.putAll(registryCredentials(config.registry()));
        return foreignSerde(config.registry().serde(), configs);
    }

    /** The registry's credentials and TLS stores in Confluent's serde setting names. */
    static Map<String, Object> registryCredentials(NewsConfig.Registry registry) {
        Map<String, Object> configs = new HashMap<>();
        registry.basicAuthUserInfo().ifPresent(userInfo -> {
            configs.put("basic.auth.credentials.source", "USER_INFO");
            configs.put(ConfluentAvroSerdeConfig.BASIC_AUTH_USER_INFO, userInfo);
        });
        registry.truststore().location().ifPresent(location -> {
            configs.put(ConfluentAvroSerdeConfig.SSL_TRUSTSTORE_LOCATION, location);
            configs.put(ConfluentAvroSerdeConfig.SSL_TRUSTSTORE_TYPE, registry.truststore().type());
            registry.truststore().password()
                    .ifPresent(password -> configs.put(ConfluentAvroSerdeConfig.SSL_TRUSTSTORE_PASSWORD, password));
        });
        registry.keystore().location().ifPresent(location -> {
            configs.put(ConfluentAvroSerdeConfig.SSL_KEYSTORE_LOCATION, location);
            configs.put(ConfluentAvroSerdeConfig.SSL_KEYSTORE_TYPE, registry.keystore().type());
            registry.keystore().password().ifPresent(password -> {
                configs.put(ConfluentAvroSerdeConfig.SSL_KEYSTORE_PASSWORD, password);
                configs.put(ConfluentAvroSerdeConfig.SSL_KEY_PASSWORD, password);
            });
        });
        return configs;
    }

    private static RegistryTls.StoreFile storeFile(NewsConfig.Store store) {
        return store.location()
                .map(location -> new RegistryTls.StoreFile(Path.of(location), store.password().orElse(null),
                        store.type()))
                .orElse(null);
    }

    /** Instantiates and configures a user-named {@code Serde} class, failing with a message that says what to fix. */
    @SuppressWarnings("unchecked")
    static <T> Serde<T> foreignSerde(String className, Map<String, Object> configs) {
        Serde<T> serde;
        try {
            serde = (Serde<T>) Class.forName(className, true, Thread.currentThread().getContextClassLoader())
                    .getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalStateException("news.registry.serde=" + className + " is neither '" + BUILT_IN
                    + "' nor a Kafka Serde class on the classpath with a public no-argument constructor", e);
        }
        serde.configure(configs, false);
        return serde;
    }

    /** Maps a foreign deserializer's failures to the dead-letter contract. */
    static ArticleDecoder foreignDecoder(Deserializer<NewsArticle> deserializer) {
        return (topic, headers, value) -> {
            try {
                return deserializer.deserialize(topic, headers, value);
            } catch (SerializationException e) {
                throw new UndecodableArticleException(FOREIGN_DECODE_FAILURE, e.getMessage(), e);
            }
        };
    }
}
