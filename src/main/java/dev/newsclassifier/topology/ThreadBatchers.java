package dev.newsclassifier.topology;

import java.util.function.Supplier;

/**
 * One {@link ThreadBatcher} per stream thread, shared by the micro-batch processors of the tasks that thread runs.
 * Kafka Streams creates, initialises, processes, punctuates and closes a task's processors on its stream thread, so
 * the thread a processor is initialised on is the one it batches with. A stream thread that dies takes its batcher
 * with it; its replacement restores the tasks' stores and starts a new one.
 */
final class ThreadBatchers {

    private final ThreadLocal<ThreadBatcher> batchers;

    ThreadBatchers(Supplier<ThreadBatcher> newBatcher) {
        this.batchers = ThreadLocal.withInitial(newBatcher);
    }

    /** The calling stream thread's batcher. */
    ThreadBatcher current() {
        return batchers.get();
    }
}
