package dev.newsclassifier.local;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.jboss.logging.Logger;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

/**
 * A real Apache Kafka broker running in this JVM: one KRaft node in combined mode (broker and controller), bound to
 * 127.0.0.1, configured so that transactions and exactly-once work with a single replica. For local runs and tests
 * only.
 *
 * <p>Ports are chosen on the first {@link #start()} and kept, together with the log directory, so that
 * {@link #stop()} followed by {@link #start()} brings back the same broker with its data at the same address, which is
 * what a client-side fault test needs. {@link #close()} stops the broker and deletes the log directory if this class
 * created it.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EmbeddedKafkaBroker.class);
    private static final int NODE_ID = 1;
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String SASL_LISTENER = "SASL_PLAINTEXT";
    private static final String PROXIED_LISTENER = "PROXIED";
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    /** Strong references: JUL forgets the level of a logger nobody holds on to. */
    private static final List<java.util.logging.Logger> QUIETED_LOGGERS = new ArrayList<>();

    private final Path logDir;
    private final boolean ownsLogDir;
    private final Map<String, String> extraProperties;
    private final Map<String, String> saslPlainUsers;
    private final int proxyPort;
    private final String clusterId = Uuid.randomUuid().toString();
    private int brokerPort = -1;
    private int controllerPort = -1;
    private int saslPort = -1;
    private int proxiedPort = -1;
    private KafkaRaftServer server;
    private boolean closed;

    private EmbeddedKafkaBroker(Path logDir, boolean ownsLogDir, Map<String, String> extraProperties,
            Map<String, String> saslPlainUsers, int proxyPort) {
        this.logDir = logDir;
        this.ownsLogDir = ownsLogDir;
        this.extraProperties = Map.copyOf(extraProperties);
        this.saslPlainUsers = Map.copyOf(saslPlainUsers);
        this.proxyPort = proxyPort;
    }

    /** A broker with its data in a new temporary directory, deleted by {@link #close()}. */
    public static EmbeddedKafkaBroker create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Formats the log directory on the first call, then starts the broker and returns once it accepts clients.
     * Calling it on a running broker does nothing. If it fails, a broker with a temporary log directory is closed
     * (directory deleted), since the caller may hold no reference to close it.
     */
    public synchronized EmbeddedKafkaBroker start() {
        if (closed) {
            throw new IllegalStateException("broker is closed; create a new one");
        }
        if (server != null) {
            return this;
        }
        quietKafkaLogging();
        if (brokerPort < 0) {
            brokerPort = freePort();
            controllerPort = freePort();
            if (!saslPlainUsers.isEmpty()) {
                saslPort = freePort();
            }
            if (proxyPort > 0) {
                proxiedPort = freePort();
            }
        }
        long started = System.nanoTime();
        try {
            KafkaConfig config = KafkaConfig.fromProps(serverProperties(), false);
            format(config);
            KafkaRaftServer starting = new KafkaRaftServer(config, Time.SYSTEM);
            try {
                starting.startup();
            } catch (RuntimeException e) {
                shutdownQuietly(starting);
                throw new IllegalStateException("Kafka broker failed to start on " + bootstrapServers()
                        + " with data in " + logDir + ": " + e.getMessage(), e);
            }
            server = starting;
        } catch (RuntimeException e) {
            // Callers typically chain create().start() and never get a reference to close on failure.
            if (ownsLogDir) {
                close();
            }
            throw e;
        }
        LOG.infof("Kafka broker started on %s in %d ms (data in %s)", bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), logDir);
        return this;
    }

    /** Shuts the broker down cleanly, keeping its ports and data for a later {@link #start()}. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        KafkaRaftServer stopping = server;
        server = null;
        long started = System.nanoTime();
        stopping.shutdown();
        stopping.awaitShutdown();
        LOG.infof("Kafka broker on %s stopped in %d ms", bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    /** {@code 127.0.0.1:port} of the PLAINTEXT listener; stable across {@link #stop()} and {@link #start()}. */
    public synchronized String bootstrapServers() {
        if (brokerPort < 0) {
            throw new IllegalStateException("broker has not been started yet, so it has no port");
        }
        return "127.0.0.1:" + brokerPort;
    }

    /**
     * {@code 127.0.0.1:port} of the SASL_PLAINTEXT listener (mechanism PLAIN), which exists only when the broker was
     * built with {@link Builder#saslPlainUsers(Map)}.
     */
    public synchronized String saslBootstrapServers() {
        if (saslPlainUsers.isEmpty()) {
            throw new IllegalStateException("broker was built without SASL users, so it has no SASL listener");
        }
        if (saslPort < 0) {
            throw new IllegalStateException("broker has not been started yet, so it has no port");
        }
        return "127.0.0.1:" + saslPort;
    }

    /**
     * The port of the listener that advertises the proxy's port ({@link Builder#proxiedAt(int)}): what the proxy
     * forwards to. Stable across {@link #stop()} and {@link #start()}.
     */
    public synchronized int proxiedListenerPort() {
        if (proxyPort <= 0) {
            throw new IllegalStateException("broker was built without a proxied listener");
        }
        if (proxiedPort < 0) {
            throw new IllegalStateException("broker has not been started yet, so it has no port");
        }
        return proxiedPort;
    }

    public Path logDir() {
        return logDir;
    }

    /** Creates plain (delete-policy) topics with the given number of partitions; existing topics are left alone. */
    public void createTopics(int partitions, String... topics) {
        List<NewTopic> newTopics = new ArrayList<>();
        for (String topic : topics) {
            newTopics.add(new NewTopic(topic, partitions, (short) 1));
        }
        createTopics(newTopics);
    }

    /** Creates one log-compacted topic; an existing topic of that name is left alone. */
    public void createCompactedTopic(String topic, int partitions) {
        createTopics(List.of(new NewTopic(topic, partitions, (short) 1)
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))));
    }

    /**
     * Creates the given topics, ignores those that already exist, and waits until every partition has a leader so
     * that clients can use them right away.
     */
    public void createTopics(Collection<NewTopic> topics) {
        try (Admin admin = Admin.create(adminConfig())) {
            for (var entry : admin.createTopics(topics).values().entrySet()) {
                try {
                    entry.getValue().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("could not create topic " + entry.getKey() + ": "
                                + e.getCause().getMessage(), e.getCause());
                    }
                }
            }
            awaitLeaders(admin, topics.stream().map(NewTopic::name).toList());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("broker " + bootstrapServers() + " did not create topics within "
                    + ADMIN_TIMEOUT, e);
        }
    }

    /** Client settings for an {@link Admin} talking to this broker. */
    public Map<String, Object> adminConfig() {
        return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
    }

    /** Stops the broker and deletes the log directory if this class created it. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            stop();
        } finally {
            closed = true;
            if (ownsLogDir) {
                deleteRecursively(logDir);
            }
        }
    }

    private Properties serverProperties() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("process.roles", "broker,controller");
        props.put("node.id", String.valueOf(NODE_ID));
        props.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + "," + CONTROLLER_LISTENER + "://127.0.0.1:"
                + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("inter.broker.listener.name", "PLAINTEXT");
        if (!saslPlainUsers.isEmpty()) {
            // A second, authenticated listener for clients; the broker and controller keep talking PLAINTEXT.
            String sasl = "," + SASL_LISTENER + "://127.0.0.1:" + saslPort;
            props.put("listeners", props.get("listeners") + sasl);
            props.put("advertised.listeners", props.get("advertised.listeners") + sasl);
            props.put("listener.security.protocol.map", props.get("listener.security.protocol.map") + ","
                    + SASL_LISTENER + ":SASL_PLAINTEXT");
            props.put("sasl.enabled.mechanisms", "PLAIN");
            props.put("listener.name." + SASL_LISTENER.toLowerCase(Locale.ROOT) + ".plain.sasl.jaas.config",
                    plainUsersJaasConfig(saslPlainUsers));
        }
        if (proxyPort > 0) {
            // Clients that bootstrap through the proxy learn the proxy's address as the broker's, so every
            // connection they open goes through it.
            props.put("listeners", props.get("listeners") + "," + PROXIED_LISTENER + "://127.0.0.1:" + proxiedPort);
            props.put("advertised.listeners", props.get("advertised.listeners") + "," + PROXIED_LISTENER
                    + "://127.0.0.1:" + proxyPort);
            props.put("listener.security.protocol.map", props.get("listener.security.protocol.map") + ","
                    + PROXIED_LISTENER + ":PLAINTEXT");
        }
        props.put("log.dirs", logDir.toAbsolutePath().toString());
        props.put("num.partitions", "1");
        props.put("default.replication.factor", "1");
        props.put("min.insync.replicas", "1");
        // One replica must be enough for the internal topics that transactions and consumer groups rely on.
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        // Short enough that a test does not wait long for a member that died, still above the broker's minimum.
        props.put("group.consumer.min.session.timeout.ms", "6000");
        props.put("group.consumer.session.timeout.ms", "10000");
        props.put("group.consumer.min.heartbeat.interval.ms", "1000");
        props.put("group.consumer.heartbeat.interval.ms", "1000");
        // The defaults (128 MiB cleaner buffer, 8 I/O threads) are sized for a production host, not a test JVM.
        props.put("log.cleaner.dedupe.buffer.size", String.valueOf(4 * 1024 * 1024));
        props.put("num.io.threads", "2");
        props.put("num.network.threads", "2");
        props.put("background.threads", "2");
        props.putAll(extraProperties);
        Properties properties = new Properties();
        properties.putAll(props);
        return properties;
    }

    /** PLAIN's server side: one {@code user_NAME="PASSWORD"} option per accepted user. */
    private static String plainUsersJaasConfig(Map<String, String> users) {
        StringBuilder jaas = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required");
        users.forEach((user, password) -> jaas.append(" user_").append(user).append("=\"").append(password)
                .append('"'));
        return jaas.append(';').toString();
    }

    private void format(KafkaConfig config) {
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(PrintStream.nullOutputStream()))
                    .setNodeId(NODE_ID)
                    .setClusterId(clusterId)
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(config.metadataLogDir())
                    .setDirectories(List.of(logDir.toAbsolutePath().toString()))
                    // A restart finds the directory formatted already, which is the point of keeping it.
                    .setIgnoreFormatted(true)
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("could not format Kafka log directory " + logDir + ": " + e.getMessage(),
                    e);
        }
    }

    private static void awaitLeaders(Admin admin, List<String> topics)
            throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
        while (true) {
            try {
                Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames()
                        .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                boolean ready = described.values().stream()
                        .flatMap(d -> d.partitions().stream())
                        .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
                if (ready) {
                    return;
                }
            } catch (ExecutionException e) {
                // The topic is committed by the controller but not yet in the broker's metadata: ask again.
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("partitions of " + topics + " have no leader");
            }
            Thread.sleep(50);
        }
    }

    private static void shutdownQuietly(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.debug("ignoring failure to shut down a broker that failed to start", e);
        }
    }

    private static synchronized void quietKafkaLogging() {
        if (!QUIETED_LOGGERS.isEmpty()) {
            return;
        }
        for (String name : Set.of("kafka", "org.apache.kafka", "state.change.logger")) {
            java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
            logger.setLevel(Level.WARNING);
            QUIETED_LOGGERS.add(logger);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    LOG.warnf("could not delete %s: %s", path, e.getMessage());
                }
            });
        } catch (IOException e) {
            LOG.warnf("could not delete %s: %s", dir, e.getMessage());
        }
    }

    /** Options for an {@link EmbeddedKafkaBroker}. */
    public static final class Builder {
        private Path logDir;
        private final Map<String, String> properties = new LinkedHashMap<>();
        private final Map<String, String> saslPlainUsers = new LinkedHashMap<>();
        private int proxyPort;

        private Builder() {
        }

        /**
         * Adds a PLAINTEXT listener that advertises {@code 127.0.0.1:proxyPort}, where a proxy that forwards to
         * {@link EmbeddedKafkaBroker#proxiedListenerPort()} stands between the broker and some of its clients (a fault
         * test's broken link). The PLAINTEXT listener stays as it is for every other client.
         */
        public Builder proxiedAt(int proxyPort) {
            this.proxyPort = proxyPort;
            return this;
        }

        /** Keep the data in this directory (created if missing, never deleted) instead of a temporary one. */
        public Builder logDir(Path dir) {
            this.logDir = dir;
            return this;
        }

        /** A broker setting that overrides or adds to the single-node defaults. */
        public Builder property(String key, String value) {
            properties.put(key, value);
            return this;
        }

        public Builder properties(Map<String, String> values) {
            properties.putAll(values);
            return this;
        }

        /**
         * Adds a SASL_PLAINTEXT listener (see {@link EmbeddedKafkaBroker#saslBootstrapServers()}) that accepts these
         * users and passwords with mechanism PLAIN, to test clients' SASL settings. Without it (the default) the
         * broker has only its PLAINTEXT listener, which stays open either way.
         */
        public Builder saslPlainUsers(Map<String, String> users) {
            users.forEach((user, password) -> {
                if ((user + password).matches(".*[\"\\\\\\s].*")) {
                    throw new IllegalArgumentException("SASL user names and passwords here must not contain quotes,"
                            + " backslashes or spaces (user " + user + ")");
                }
            });
            saslPlainUsers.putAll(users);
            return this;
        }

        public EmbeddedKafkaBroker build() {
            try {
                if (logDir != null) {
                    return new EmbeddedKafkaBroker(Files.createDirectories(logDir), false, properties, saslPlainUsers,
                            proxyPort);
                }
                return new EmbeddedKafkaBroker(Files.createTempDirectory("embedded-kafka-"), true, properties,
                        saslPlainUsers, proxyPort);
            } catch (IOException e) {
                throw new UncheckedIOException("could not create the broker's log directory", e);
            }
        }
    }
}
