package dev.newsclassifier.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One instance of the packaged service as an OS process: started with {@code serve} and its
 * settings as {@code -D} properties, its output appended to a log file, observed through its
 * health and Prometheus endpoints, and stopped with SIGTERM or killed with SIGKILL. A restart
 * keeps the instance's HTTP port and state directory, as a restarted pod keeps its volume.
 */
public final class ServiceProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final ServiceLauncher launcher;
    private final Map<String, String> settings;
    private final int httpPort;
    private final Path log;
    private Process process;
    private int starts;

    private ServiceProcess(String name, ServiceLauncher launcher, Map<String, String> settings, Path workDir) {
        this.name = name;
        this.launcher = launcher;
        this.httpPort = freePort();
        this.log = workDir.resolve(name + ".log");
        this.settings = new LinkedHashMap<>(settings);
        this.settings.put("quarkus.http.port", Integer.toString(httpPort));
        this.settings.put("kafka-streams.state.dir", workDir.resolve(name + "-state").toString());
        // The client id names the instance in the consumer group, so assignments can be told apart.
        this.settings.put("kafka-streams.client.id", name);
        // Static membership, as a pod's name gives it: a restarted instance takes its partitions back at once.
        this.settings.put("news.instance.id", name);
    }

    /** An instance not yet started; {@link #start()} launches it. */
    public static ServiceProcess create(String name, ServiceLauncher launcher, Map<String, String> settings,
            Path workDir) {
        return new ServiceProcess(name, launcher, settings, workDir);
    }

    public String name() {
        return name;
    }

    public Path log() {
        return log;
    }

    /** Launches the process (again, after a kill or stop), appending to the same log. */
    public synchronized ServiceProcess start() {
        if (isAlive()) {
            throw new IllegalStateException(name + " is already running");
        }
        List<String> command = new ArrayList<>();
        command.add(launcher.java().toString());
        command.addAll(launcher.jvmOptions());
        settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-jar");
        command.add(launcher.jar().toString());
        command.add("serve");
        try {
            Files.writeString(log, String.format("%n===== %s start #%d =====%n", name, ++starts),
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            process = new ProcessBuilder(command).directory(launcher.workingDir().toFile())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
        return this;
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    public synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    /** Waits until readiness answers UP; fails early, with the log's tail, if the process dies. */
    public void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!isAlive()) {
                throw new IllegalStateException(name + " exited with " + exitCode() + " before it was ready:\n"
                        + logTail(15));
            }
            if (isReady()) {
                return;
            }
            sleep(200);
        }
        throw new IllegalStateException(name + " was not ready within " + timeout.toSeconds() + " s:\n" + logTail(15));
    }

    /** Whether {@code /q/health/ready} answers 200 now. */
    public boolean isReady() {
        return get("/q/health/ready").map(response -> response.statusCode() == 200).orElse(false);
    }

    /** Whether {@code /q/health/ready} answers at all, whatever its status: the HTTP server is up. */
    public Optional<Integer> readinessStatus() {
        return get("/q/health/ready").map(HttpResponse::statusCode);
    }

    /** Samples of {@code /q/metrics}, or empty when the process does not answer. */
    public Optional<PrometheusSamples> metrics() {
        return get("/q/metrics").filter(response -> response.statusCode() == 200)
                .map(response -> PrometheusSamples.parse(response.body()));
    }

    /** SIGKILL: no shutdown hook runs, no transaction is finished, no offset is committed. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        waitFor(Duration.ofSeconds(30));
    }

    /** SIGTERM: the service closes Kafka Streams cleanly, committing what it has done. */
    public synchronized void stop() {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        if (!waitFor(Duration.ofSeconds(60))) {
            process.destroyForcibly();
            waitFor(Duration.ofSeconds(30));
        }
    }

    /** Waits for the process to end; true if it did within the timeout. */
    public boolean waitFor(Duration timeout) {
        Process current;
        synchronized (this) {
            current = process;
        }
        if (current == null) {
            return true;
        }
        try {
            return current.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public synchronized int exitCode() {
        return process == null || process.isAlive() ? -1 : process.exitValue();
    }

    /** Resident set size from {@code /proc}, or -1 where there is no such file (not Linux). */
    public long residentBytes() {
        Path status = Path.of("/proc", Long.toString(pid()), "status");
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /**
     * Heap in use right after a full collection requested with {@code jcmd <pid> GC.run}: the live
     * data, which is what a leak grows. Empty when the JDK has no {@code jcmd}.
     */
    public Optional<Double> heapAfterGc() {
        Path jcmd = launcher.java().resolveSibling("jcmd");
        if (!Files.isExecutable(jcmd)) {
            return Optional.empty();
        }
        try {
            Process gc = new ProcessBuilder(jcmd.toString(), Long.toString(pid()), "GC.run")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!gc.waitFor(30, TimeUnit.SECONDS)) {
                gc.destroyForcibly();
                return Optional.empty();
            }
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        return metrics().map(samples -> samples.sum("jvm_memory_used_bytes", Map.of("area", "heap")));
    }

    /** The last lines of the instance's log, for failure messages. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** The whole log, every start of this instance. */
    public String logText() {
        try {
            return Files.readString(log, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** POSTs {@code body} as JSON with these headers; the answer, or empty when the process does not answer. */
    public Optional<HttpResponse<String>> postJson(String path, String body, Map<String, String> headers,
            Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return send(request.build());
    }

    private Optional<HttpResponse<String>> get(String path) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(Duration.ofSeconds(5)).GET().build());
    }

    private Optional<HttpResponse<String>> send(HttpRequest request) {
        try {
            return Optional.of(HTTP.send(request, HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
