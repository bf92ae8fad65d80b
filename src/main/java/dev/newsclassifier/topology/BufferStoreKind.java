package dev.newsclassifier.topology;

/**
 * Where a task keeps its micro-batch buffer between commits. Both are changelogged, so neither loses an
 * article; they differ in what a restarted instance finds.
 */
public enum BufferStoreKind {
    /**
     * RocksDB under {@code state.dir}. With a persistent store in the topology Kafka Streams keeps its process id
     * in the state directory, so an instance restarted on the same directory reuses its transactional ids and
     * fences its predecessor's open transaction at once, instead of waiting for the transaction timeout; and it
     * restores only the changelog written since its last checkpoint.
     */
    PERSISTENT,
    /** In the heap: restored whole from the changelog at every start, under a new process id. */
    IN_MEMORY
}
