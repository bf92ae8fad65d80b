package dev.newsclassifier.local;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jboss.logging.Logger;

/**
 * An embedded Kafka broker, a schema registry (the {@link LocalSchemaRegistry} on that broker, or
 * {@link ApicurioRegistry} as a child process) and the service's topics: everything the service needs around it, for
 * the {@code demo} command and tests. Not for production.
 */
public final class LocalKafkaStack implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LocalKafkaStack.class);

    private final EmbeddedKafkaBroker broker;
    private final SchemaRegistryServer registry;
    private final List<LocalTopics.Topic> topics;

    private LocalKafkaStack(EmbeddedKafkaBroker broker, SchemaRegistryServer registry, List<LocalTopics.Topic> topics) {
        this.broker = broker;
        this.registry = registry;
        this.topics = topics;
    }

    /** Starts a stack with the {@linkplain LocalTopics#defaults() default topics} and data in a temporary dir. */
    public static LocalKafkaStack start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    public EmbeddedKafkaBroker broker() {
        return broker;
    }

    public SchemaRegistryServer registry() {
        return registry;
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    public String registryUrl() {
        return registry.url();
    }

    /** The topics this stack created. */
    public List<LocalTopics.Topic> topics() {
        return topics;
    }

    /** Stops the registry, then the broker; temporary data dirs are deleted. */
    @Override
    public void close() {
        try {
            registry.close();
        } finally {
            broker.close();
        }
    }

    /** Settings for a {@link LocalKafkaStack}. */
    public static final class Builder {
        private final Map<String, LocalTopics.Topic> topics = new LinkedHashMap<>();
        private final Map<String, String> brokerProperties = new LinkedHashMap<>();
        private Path dataDir;
        private int registryPort;
        private int brokerProxyPort;
        private RegistryKind registryKind = RegistryKind.BUILT_IN;

        private Builder() {
            LocalTopics.defaults().forEach(this::topic);
        }

        /** Adds a topic, or replaces the default of that name (e.g. to change its partition count). */
        public Builder topic(LocalTopics.Topic topic) {
            topics.put(topic.name(), topic);
            return this;
        }

        /** Creates only these topics instead of the defaults. */
        public Builder onlyTopics(List<LocalTopics.Topic> only) {
            topics.clear();
            only.forEach(this::topic);
            return this;
        }

        /**
         * Keep the broker's data (and so the built-in registry's schemas) in this directory across runs instead of a
         * temporary one; Apicurio Registry keeps its schemas in a temporary dir regardless.
         */
        public Builder dataDir(Path dir) {
            this.dataDir = dir;
            return this;
        }

        public Builder brokerProperty(String key, String value) {
            brokerProperties.put(key, value);
            return this;
        }

        /** A second broker listener that advertises this port, for a proxy in front of it (see EmbeddedKafkaBroker). */
        public Builder brokerProxiedAt(int port) {
            this.brokerProxyPort = port;
            return this;
        }

        /** The registry's HTTP port; 0 (the default) picks a free one. */
        public Builder registryPort(int port) {
            this.registryPort = port;
            return this;
        }

        /** The registry to run; {@link RegistryKind#BUILT_IN} unless told otherwise. */
        public Builder registry(RegistryKind kind) {
            this.registryKind = kind;
            return this;
        }

        /** Starts the broker, creates the topics, starts the registry; stops what started if a step fails. */
        public LocalKafkaStack start() {
            long started = System.nanoTime();
            EmbeddedKafkaBroker.Builder brokerBuilder = EmbeddedKafkaBroker.builder().properties(brokerProperties)
                    .proxiedAt(brokerProxyPort);
            if (dataDir != null) {
                brokerBuilder.logDir(dataDir);
            }
            // Built first: a missing Java 21 or Apicurio distribution is reported before a broker starts for nothing.
            SchemaRegistryServer registry = null;
            EmbeddedKafkaBroker broker = brokerBuilder.build();
            try {
                registry = registryKind == RegistryKind.APICURIO ? apicurio() : null;
                broker.start();
                broker.createTopics(topics.values().stream().map(LocalTopics.Topic::toNewTopic).toList());
                if (registry == null) {
                    registry = LocalSchemaRegistry.builder(broker).port(registryPort).build();
                }
                registry.start();
                LOG.infof("local Kafka stack up in %d ms: Kafka %s, %s %s, topics %s",
                        (System.nanoTime() - started) / 1_000_000, broker.bootstrapServers(), registry.description(),
                        registry.url(), topics.keySet());
                return new LocalKafkaStack(broker, registry, List.copyOf(topics.values()));
            } catch (RuntimeException e) {
                try {
                    if (registry != null) {
                        registry.close();
                    }
                } finally {
                    broker.close();
                }
                throw e;
            }
        }

        private ApicurioRegistry apicurio() {
            return ApicurioRegistry.builder().port(registryPort).build();
        }
    }
}
