package dev.newsclassifier.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.jboss.logging.Logger;

/**
 * Apicurio Registry, a third-party registry with a Confluent-compatible API, run as a child process on 127.0.0.1 so
 * that the client, the serde and the service can be shown to work against a registry this project did not write. Its
 * modules cannot share this application's class path and it needs Java 21+, so it runs from its own distribution (the
 * Quarkus application {@code io.apicurio:apicurio-registry-app:<version>:tar.gz:all}, which the Maven build unpacks
 * into {@value #DEFAULT_DIR}) on a Java found by {@link JavaRuntimes}.
 *
 * <p>Two settings differ from Apicurio's defaults, to behave like Confluent's registry: a global BACKWARD
 * compatibility rule (Apicurio checks nothing unless told), and schemas in an H2 file under the data dir instead of
 * memory, so that {@link #stop()} and {@link #start()} keep them (and the port) as a restarted Confluent registry would.
 *
 * <p>The process is stopped (with anything it started) by {@link #stop()}, and also when this JVM exits normally; a JVM
 * killed with SIGKILL leaves it running.
 */
public final class ApicurioRegistry implements SchemaRegistryServer {

    /** System property with the unpacked distribution (the folder holding {@code quarkus-run.jar}). */
    public static final String DIR_PROPERTY = "local.apicurio.dir";
    /** Environment variable with the unpacked distribution, when the system property is not set. */
    public static final String DIR_ENV = "NEWS_CLASSIFIER_APICURIO_DIR";
    /** Where the Maven build unpacks the distribution, relative to the project root. */
    public static final String DEFAULT_DIR = "target/apicurio-registry";
    /** The path of the Confluent-compatible API under the server's root. */
    public static final String CCOMPAT_PATH = "/apis/ccompat/v7";
    /** The oldest Java Apicurio Registry 3 runs on. */
    public static final int MINIMUM_JAVA = 21;

    private static final Logger LOG = Logger.getLogger(ApicurioRegistry.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    private static final Pattern LISTENING = Pattern.compile("Listening on: http://127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern APP_JAR = Pattern.compile("apicurio-registry-app-(.+)\\.jar");

    private final Path java;
    private final Path distribution;
    private final Path dataDir;
    private final boolean ownsDataDir;
    private final Path log;
    private int port;
    private Process process;
    private Thread shutdownHook;

    private ApicurioRegistry(Path java, Path distribution, Path dataDir, boolean ownsDataDir, int port) {
        this.java = java;
        this.distribution = distribution;
        this.dataDir = dataDir;
        this.ownsDataDir = ownsDataDir;
        this.log = dataDir.resolve("apicurio-registry.log");
        this.port = port;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The unpacked distribution this machine is set up with: {@value #DIR_PROPERTY}, {@value #DIR_ENV}, or the default. */
    public static Path distribution() {
        String configured = System.getProperty(DIR_PROPERTY);
        if (configured == null || configured.isBlank()) {
            configured = System.getenv(DIR_ENV);
        }
        return Path.of(configured == null || configured.isBlank() ? DEFAULT_DIR : configured);
    }

    /**
     * Why Apicurio Registry cannot run here (no Java 21+, or no unpacked distribution), in words a person can act on;
     * empty when it can.
     */
    public static Optional<String> unavailableReason() {
        List<String> missing = new ArrayList<>();
        missingJava().ifPresent(missing::add);
        missingDistribution(distribution()).ifPresent(missing::add);
        return missing.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", missing));
    }

    private static Optional<String> missingJava() {
        JavaRuntimes runtimes = JavaRuntimes.ofThisMachine();
        return runtimes.find(MINIMUM_JAVA).isPresent() ? Optional.empty()
                : Optional.of("Apicurio Registry needs Java " + MINIMUM_JAVA + " or newer and none was found (looked"
                        + " at " + runtimes.searched() + "); set " + JavaRuntimes.JAVA21_ENV + " to the home of a JDK "
                        + MINIMUM_JAVA + "+");
    }

    private static Optional<String> missingDistribution(Path dir) {
        return Files.isRegularFile(dir.resolve("quarkus-run.jar")) ? Optional.empty()
                : Optional.of("Apicurio Registry is not unpacked in " + dir.toAbsolutePath() + "; `./mvnw verify`,"
                        + " or `./mvnw -q dependency:unpack@apicurio-registry` alone, fetches it from Maven Central"
                        + " (159 MB, once), or set " + DIR_ENV + " to an unpacked copy");
    }

    /** Starts the process and waits until it serves HTTP; fails with the end of its log if it does not. */
    @Override
    public synchronized ApicurioRegistry start() {
        if (process != null) {
            return this;
        }
        long started = System.nanoTime();
        long logOffset;
        try {
            Files.createDirectories(dataDir);
            logOffset = Files.exists(log) ? Files.size(log) : 0;
            process = new ProcessBuilder(command())
                    .directory(distribution.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Apicurio Registry with " + java, e);
        }
        Process child = process;
        shutdownHook = new Thread(() -> destroyTree(child), "apicurio-registry-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            port = awaitListening(logOffset);
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
        LOG.infof("%s serving %s in %d ms (pid %d, log %s)", description(), url(),
                (System.nanoTime() - started) / 1_000_000, process.pid(), log);
        return this;
    }

    /** Stops the process and what it started; the schemas stay in the data dir for the next {@link #start()}. */
    @Override
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        destroyTree(process);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // The JVM is exiting and runs the hook anyway; nothing to undo.
        }
        process = null;
        shutdownHook = null;
    }

    /** Stops the process, and deletes the data dir if this instance created it. */
    @Override
    public synchronized void close() {
        stop();
        if (ownsDataDir) {
            deleteTree(dataDir);
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** {@code http://127.0.0.1:<port>/apis/ccompat/v7}, the base URL for Confluent clients. */
    @Override
    public synchronized String url() {
        if (process == null) {
            throw new IllegalStateException("Apicurio Registry is not running");
        }
        return "http://127.0.0.1:" + port + CCOMPAT_PATH;
    }

    /** The HTTP port; the same after a restart. */
    @Override
    public synchronized int port() {
        if (port == 0) {
            throw new IllegalStateException("Apicurio Registry has not started yet");
        }
        return port;
    }

    /** "Apicurio Registry" and the version in the distribution's application jar. */
    @Override
    public String description() {
        try (Stream<Path> jars = Files.list(distribution.resolve("app"))) {
            return jars.map(jar -> APP_JAR.matcher(jar.getFileName().toString())).filter(Matcher::matches)
                    .map(m -> "Apicurio Registry " + m.group(1)).findFirst().orElse("Apicurio Registry");
        } catch (IOException e) {
            return "Apicurio Registry";
        }
    }

    /** The process's id while it runs, for tests that check it is gone after {@link #stop()}. */
    public synchronized Optional<ProcessHandle> processHandle() {
        return Optional.ofNullable(process).map(Process::toHandle);
    }

    private List<String> command() {
        return List.of(java.toString(),
                // C1 only: a registry serving a test barely needs C2, and its compile threads would take the
                // cores the tests run on. Serial GC for the same reason.
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                // A class-data archive written at the first exit roughly halves every later start (JDK 19+).
                "-XX:SharedArchiveFile=" + distribution.toAbsolutePath().resolve("apicurio-registry.jsa"),
                "-XX:+AutoCreateSharedArchive",
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
                "-Dquarkus.management.host=127.0.0.1", "-Dquarkus.management.port=0",
                // Apicurio accepts any new version unless a rule says otherwise; Confluent checks BACKWARD.
                "-Dapicurio.rules.global.compatibility=BACKWARD",
                "-Dapicurio.datasource.url=jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("registry"),
                "-jar", "quarkus-run.jar");
    }

    private int awaitListening(long logOffset) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher listening = LISTENING.matcher(logSince(logOffset));
            if (listening.find()) {
                return Integer.parseInt(listening.group(1));
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("Apicurio Registry exited with " + process.exitValue()
                        + " before serving; the end of " + log + ":\n" + tail(logSince(logOffset)));
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while Apicurio Registry was starting", e);
            }
        }
        throw new IllegalStateException("Apicurio Registry did not serve within " + START_TIMEOUT.toSeconds()
                + " s; the end of " + log + ":\n" + tail(logSince(logOffset)));
    }

    private String logSince(long offset) {
        try {
            byte[] bytes = Files.readAllBytes(log);
            int from = (int) Math.min(offset, bytes.length);
            return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static String tail(String text) {
        List<String> lines = text.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    private static void destroyTree(Process process) {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                LOG.warnf("Apicurio Registry (pid %d) ignored SIGTERM for %d s; killing it", process.pid(),
                        STOP_TIMEOUT.toSeconds());
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    /** Settings for an {@link ApicurioRegistry}. */
    public static final class Builder {
        private Path distribution = ApicurioRegistry.distribution();
        private Path java;
        private Path dataDir;
        private int port;

        private Builder() {
        }

        /** The unpacked distribution; default {@link ApicurioRegistry#distribution()}. */
        public Builder distribution(Path dir) {
            this.distribution = dir;
            return this;
        }

        /** The {@code java} to run it with; default the first Java 21+ {@link JavaRuntimes} finds. */
        public Builder java(Path executable) {
            this.java = executable;
            return this;
        }

        /** Where the schemas and the log go; default a temporary dir, deleted by {@link ApicurioRegistry#close()}. */
        public Builder dataDir(Path dir) {
            this.dataDir = dir;
            return this;
        }

        /** The HTTP port; 0 (the default) picks a free one, which restarts then keep. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** @throws IllegalStateException when Apicurio Registry cannot run here, saying why */
        public ApicurioRegistry build() {
            missingDistribution(distribution).ifPresent(reason -> {
                throw new IllegalStateException(reason);
            });
            Path executable = java != null ? java : JavaRuntimes.ofThisMachine().find(MINIMUM_JAVA)
                    .orElseThrow(() -> new IllegalStateException(missingJava().orElseThrow()));
            try {
                boolean owned = dataDir == null;
                Path dir = owned ? Files.createTempDirectory("apicurio-registry-") : dataDir;
                return new ApicurioRegistry(executable, distribution.toAbsolutePath(), dir, owned, port);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a data dir for Apicurio Registry", e);
            }
        }
    }
}
