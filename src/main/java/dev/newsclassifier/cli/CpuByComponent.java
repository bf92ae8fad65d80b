package dev.newsclassifier.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The process's CPU time by component, from per-thread CPU times: Java threads through {@link ThreadMXBean} (full
 * names; their time includes native code run on them, so the model's chunk threads carry ONNX Runtime's work), and
 * the JVM's own threads (JIT compilers, GC), which it hides from that bean, through {@code /proc/self/task} on Linux.
 * What no live thread accounts for (threads that ended, threads of no known component) is "other".
 *
 * <p>Components are told apart by thread name, as this service and the embedded broker name their threads. The
 * benchmark reads on the main thread and publishes on a thread of its own, which reports its time before it ends
 * ({@link #addBenchmarkClientNanos}); its Kafka producer's network thread cannot be told from the service's and counts
 * as other.
 */
final class CpuByComponent {

    static final String STREAM_THREAD = "stream thread (decode, text rule, tokenizer, buffer, encode)";
    static final String MODEL = "model (ONNX Runtime chunk threads)";
    static final String KAFKA_CLIENTS = "service's Kafka client threads";
    static final String JIT = "JIT compilers";
    static final String GC = "garbage collector";
    static final String BROKER = "embedded broker and registry";
    static final String BENCHMARK = "benchmark's publisher and reader";
    static final String OTHER = "other";
    static final List<String> COMPONENTS = List.of(STREAM_THREAD, MODEL, KAFKA_CLIENTS, JIT, GC, BROKER, BENCHMARK, OTHER);

    private static final List<String> BROKER_PREFIXES = List.of("data-plane-kafka", "kafka-1-", "quorum-controller",
            "AddPartitionsToTxn", "TxnMarkerSenderThread", "group-coordinator", "share-", "kafka-scheduler", "controller-",
            "broker-", "raft-", "kafka-log-cleaner", "transaction-log", "ExpirationReaper", "executor-",
            "client-metrics-", "local-schema-registry", "schema-registry", "HTTP-Dispatcher", "LogDirFailureHandler", "kafka-network", "kafka-request-handler", "metrics-meter-tick");

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final String streamsClientPrefix;
    private volatile long benchmarkClientNanos;

    /** @param applicationId the service's Kafka Streams application id, which starts its client threads' names */
    CpuByComponent(String applicationId) {
        this.streamsClientPrefix = applicationId;
        if (threads.isThreadCpuTimeSupported() && !threads.isThreadCpuTimeEnabled()) {
            threads.setThreadCpuTimeEnabled(true);
        }
    }

    /** CPU the benchmark's own clients used on a thread of theirs, measured by that thread before it ends. */
    void addBenchmarkClientNanos(long nanos) {
        benchmarkClientNanos += nanos;
    }

    /** CPU nanoseconds per component so far, and the process's total under "total". */
    Map<String, Long> snapshot() {
        Map<String, Long> nanos = new LinkedHashMap<>();
        COMPONENTS.forEach(component -> nanos.put(component, 0L));
        long[] ids = threads.getAllThreadIds();
        ThreadInfo[] infos = threads.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            long cpu = threads.getThreadCpuTime(ids[i]);
            if (infos[i] != null && cpu > 0) {
                nanos.merge(componentOf(infos[i].getThreadName()), cpu, Long::sum);
            }
        }
        nanos.merge(BENCHMARK, benchmarkClientNanos, Long::sum);
        nativeThreads().forEach((name, cpu) -> nanos.merge(
                name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler") ? JIT : GC, cpu, Long::sum));
        long total = processCpuNanos();
        long known = nanos.values().stream().mapToLong(Long::longValue).sum();
        nanos.merge(OTHER, Math.max(0, total - known), Long::sum);
        nanos.put("total", total);
        return nanos;
    }

    /** Per component, milliseconds of CPU per article between two snapshots. */
    static Map<String, Double> perArticleMs(Map<String, Long> before, Map<String, Long> after, int articles) {
        Map<String, Double> ms = new LinkedHashMap<>();
        after.forEach((component, nanos) -> ms.put(component,
                (nanos - before.getOrDefault(component, 0L)) / 1e6 / Math.max(1, articles)));
        return ms;
    }

    private String componentOf(String name) {
        if (name.contains("-StreamThread-") && !name.contains("producer") && !name.contains("consumer")) {
            return STREAM_THREAD;
        }
        if (name.startsWith("onnx-chunk")) {
            return MODEL;
        }
        if (name.contains(streamsClientPrefix)) {
            return KAFKA_CLIENTS;
        }
        if (name.startsWith("benchmark-") || name.equals("main")) {
            return BENCHMARK;
        }
        return BROKER_PREFIXES.stream().anyMatch(name::startsWith) ? BROKER : OTHER;
    }

    /** JIT and GC threads, by their OS names, which the JVM keeps out of the thread bean; empty off Linux. */
    private static Map<String, Long> nativeThreads() {
        Map<String, Long> cpu = new LinkedHashMap<>();
        Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) {
            return cpu;
        }
        long nanosPerTick = 10_000_000L;
        try (Stream<Path> list = Files.list(tasks)) {
            list.forEach(task -> {
                try {
                    String name = Files.readString(task.resolve("comm")).strip();
                    if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler") || name.startsWith("GC Thread")
                            || name.startsWith("G1 ")) {
                        String stat = Files.readString(task.resolve("stat"));
                        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                        cpu.merge(name + " " + task.getFileName(), ticks * nanosPerTick, Long::sum);
                    }
                } catch (IOException | RuntimeException e) {
                    // The thread ended while being read: its time is in the process total, counted as other.
                }
            });
        } catch (IOException e) {
            return cpu;
        }
        return cpu;
    }

    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : 0;
    }
}
