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
 * What no live thread accounts for (threads that ended, threads of no known component) is "other". The JVM starts
 * and stops JIT compiler threads with the load, so a component's time is summed per thread, never as a difference of
 * totals.
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

    /**
     * CPU so far, per thread and for the process.
     *
     * @param threads per live thread (keyed by Java thread id or OS task id), its component and CPU nanoseconds
     * @param benchmarkClientNanos what the benchmark's ended client threads reported
     * @param processNanos the whole process's CPU time
     */
    record Snapshot(Map<String, ThreadCpu> threads, long benchmarkClientNanos, long processNanos) {
    }

    record ThreadCpu(String component, long nanos) {
    }

    Snapshot snapshot() {
        Map<String, ThreadCpu> cpu = new LinkedHashMap<>();
        long[] ids = threads.getAllThreadIds();
        ThreadInfo[] infos = threads.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            long nanos = threads.getThreadCpuTime(ids[i]);
            if (infos[i] != null && nanos > 0) {
                cpu.put("java-" + ids[i], new ThreadCpu(componentOf(infos[i].getThreadName()), nanos));
            }
        }
        cpu.putAll(nativeThreads());
        return new Snapshot(cpu, benchmarkClientNanos, processCpuNanos());
    }

    /**
     * Per component, milliseconds of CPU per article between two snapshots, and the process's under "total". A
     * thread counts what it used in between (all of it if it started in between); what threads that ended in between
     * used, no live thread accounts for, so it is "other" with everything else unattributed.
     */
    static Map<String, Double> perArticleMs(Snapshot before, Snapshot after, int articles) {
        Map<String, Long> nanos = new LinkedHashMap<>();
        COMPONENTS.forEach(component -> nanos.put(component, 0L));
        after.threads().forEach((thread, cpu) -> {
            ThreadCpu earlier = before.threads().get(thread);
            long used = cpu.nanos() - (earlier == null ? 0 : earlier.nanos());
            nanos.merge(cpu.component(), Math.max(0, used), Long::sum);
        });
        nanos.merge(BENCHMARK, after.benchmarkClientNanos() - before.benchmarkClientNanos(), Long::sum);
        long total = after.processNanos() - before.processNanos();
        long known = nanos.values().stream().mapToLong(Long::longValue).sum();
        nanos.merge(OTHER, Math.max(0, total - known), Long::sum);
        nanos.put("total", total);
        Map<String, Double> ms = new LinkedHashMap<>();
        nanos.forEach((component, used) -> ms.put(component, used / 1e6 / Math.max(1, articles)));
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
    private static Map<String, ThreadCpu> nativeThreads() {
        Map<String, ThreadCpu> cpu = new LinkedHashMap<>();
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
                        String component = name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler") ? JIT : GC;
                        cpu.put("os-" + task.getFileName(), new ThreadCpu(component, ticks * nanosPerTick));
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
