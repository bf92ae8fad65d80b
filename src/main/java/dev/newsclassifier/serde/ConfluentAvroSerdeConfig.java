package dev.newsclassifier.serde;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;

import dev.newsclassifier.registry.RegistryTls;
import dev.newsclassifier.registry.SchemaRegistryClient;

/**
 * Configuration keys of the Confluent Avro serdes, read by {@code configure(configs, isKey)}. The names match
 * Confluent's serializer settings so existing configuration carries over.
 */
public final class ConfluentAvroSerdeConfig {

    /** Base URL(s) of the registry, comma-separated; required unless a client is passed to the constructor. */
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    /** {@code user:password} for HTTP basic auth against the registry; optional. */
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    /** Trust store for an https registry whose certificate the JDK does not trust; optional. */
    public static final String SSL_TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    public static final String SSL_TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    /** {@code PKCS12} (default) or {@code JKS}. */
    public static final String SSL_TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
    /** Key store with the client's key and certificate, for mutual TLS; optional. */
    public static final String SSL_KEYSTORE_LOCATION = "schema.registry.ssl.keystore.location";
    public static final String SSL_KEYSTORE_PASSWORD = "schema.registry.ssl.keystore.password";
    /** {@code PKCS12} (default) or {@code JKS}. */
    public static final String SSL_KEYSTORE_TYPE = "schema.registry.ssl.keystore.type";
    /** The password of the key in the key store; this client supports only keys with the store's password. */
    public static final String SSL_KEY_PASSWORD = "schema.registry.ssl.key.password";
    /** Registry request timeout in milliseconds; default 10000. */
    public static final String REQUEST_TIMEOUT_MS = "schema.registry.request.timeout.ms";
    /** Serializer: register unknown schemas ({@code true}, default) or only look up their id ({@code false}). */
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    /** Deserializer of values: the generated {@link SpecificRecord} class (a {@code Class} or its name). */
    public static final String SPECIFIC_AVRO_VALUE_TYPE = "specific.avro.value.type";
    /** Deserializer of keys: the generated {@link SpecificRecord} class (a {@code Class} or its name). */
    public static final String SPECIFIC_AVRO_KEY_TYPE = "specific.avro.key.type";

    private ConfluentAvroSerdeConfig() {
    }

    static SchemaRegistryClient client(Map<String, ?> configs) {
        Object url = configs.get(SCHEMA_REGISTRY_URL);
        if (url == null || url.toString().isBlank()) {
            throw new ConfigException(SCHEMA_REGISTRY_URL + " is required (or pass a SchemaRegistryClient to the"
                    + " serde's constructor)");
        }
        SchemaRegistryClient.Builder builder = SchemaRegistryClient.builder(url.toString());
        Object userInfo = configs.get(BASIC_AUTH_USER_INFO);
        if (userInfo != null) {
            builder.basicAuth(userInfo.toString());
        }
        RegistryTls.StoreFile truststore = storeFile(configs, SSL_TRUSTSTORE_LOCATION, SSL_TRUSTSTORE_PASSWORD,
                SSL_TRUSTSTORE_TYPE);
        RegistryTls.StoreFile keystore = storeFile(configs, SSL_KEYSTORE_LOCATION, SSL_KEYSTORE_PASSWORD,
                SSL_KEYSTORE_TYPE);
        if (truststore != null || keystore != null) {
            builder.sslContext(RegistryTls.sslContext(truststore, keystore));
        }
        Object timeout = configs.get(REQUEST_TIMEOUT_MS);
        if (timeout != null) {
            try {
                builder.requestTimeout(Duration.ofMillis(Long.parseLong(timeout.toString().trim())));
            } catch (NumberFormatException e) {
                throw new ConfigException(REQUEST_TIMEOUT_MS, timeout, "must be a number of milliseconds");
            }
        }
        return builder.build();
    }

    private static RegistryTls.StoreFile storeFile(Map<String, ?> configs, String location, String password,
            String type) {
        Object path = configs.get(location);
        if (path == null || path.toString().isBlank()) {
            return null;
        }
        Object secret = configs.get(password);
        Object storeType = configs.get(type);
        return new RegistryTls.StoreFile(Path.of(path.toString()), secret == null ? null : secret.toString(),
                storeType == null ? "PKCS12" : storeType.toString());
    }

    static boolean autoRegister(Map<String, ?> configs) {
        Object value = configs.get(AUTO_REGISTER_SCHEMAS);
        return value == null || Boolean.parseBoolean(value.toString());
    }

    @SuppressWarnings("unchecked")
    static <T extends SpecificRecord> Class<T> recordType(Map<String, ?> configs, boolean isKey) {
        String key = isKey ? SPECIFIC_AVRO_KEY_TYPE : SPECIFIC_AVRO_VALUE_TYPE;
        Object value = configs.get(key);
        if (value == null) {
            throw new ConfigException(key + " is required: the generated Avro class to decode into");
        }
        Class<?> type;
        if (value instanceof Class<?> given) {
            type = given;
        } else {
            try {
                type = Class.forName(value.toString(), true, Thread.currentThread().getContextClassLoader());
            } catch (ClassNotFoundException e) {
                throw new ConfigException(key, value, "class not found");
            }
        }
        if (!SpecificRecord.class.isAssignableFrom(type)) {
            throw new ConfigException(key, value, "not an Avro SpecificRecord class");
        }
        return (Class<T>) type;
    }

    public static String subject(String topic, boolean isKey) {
        return topic + (isKey ? "-key" : "-value");
    }
}
