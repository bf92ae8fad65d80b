package dev.newsclassifier.topology;

import dev.newsclassifier.avro.BufferedArticle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * The batch buffer's store, writing an article to the store below it (encoded, and sent to its changelog) only if
 * the article is still buffered when the task commits. Most articles are classified and deleted within the commit
 * interval of their arrival, so they cost the store nothing: no encoding, no changelog record, no tombstone. Kafka
 * Streams' own cache saves the changelog record but still encodes each article and logs its tombstone, which was
 * about a third of the stream thread's time at the pipeline's ceiling.
 *
 * <p>Written at {@link #flushCache()}, which Kafka Streams calls on every cached store before it commits the task's
 * offsets (in the same transaction under exactly-once), so the changelog holds every article buffered at a commit,
 * as before. A crash loses the pending map with the uncommitted transaction: the task restores from the changelog.
 *
 * <p>Keys are never reused (the buffer numbers its articles with a sequence that starts above every restored key),
 * so a key pending here is not in the store below, and deleting it needs nothing there.
 */
final class DeferredWriteStore extends WrappedStateStore<KeyValueStore<Long, BufferedArticle>, Long, BufferedArticle>
        implements KeyValueStore<Long, BufferedArticle> {

    private final Map<Long, BufferedArticle> pending = new LinkedHashMap<>();

    DeferredWriteStore(KeyValueStore<Long, BufferedArticle> store) {
        super(store);
    }

    /** Builds the store below with {@code inner} (caching off: this store is the cache) and wraps it. */
    static StoreBuilder<KeyValueStore<Long, BufferedArticle>> builder(StoreBuilder<KeyValueStore<Long, BufferedArticle>> inner) {
        return new Builder(inner.withCachingDisabled());
    }

    @Override
    public void put(Long key, BufferedArticle value) {
        if (value == null) {
            delete(key);
        } else {
            pending.put(key, value);
        }
    }

    @Override
    public BufferedArticle putIfAbsent(Long key, BufferedArticle value) {
        BufferedArticle existing = get(key);
        if (existing == null) {
            put(key, value);
        }
        return existing;
    }

    @Override
    public void putAll(List<KeyValue<Long, BufferedArticle>> entries) {
        entries.forEach(entry -> put(entry.key, entry.value));
    }

    @Override
    public BufferedArticle delete(Long key) {
        BufferedArticle unwritten = pending.remove(key);
        return unwritten != null ? unwritten : wrapped().delete(key);
    }

    @Override
    public BufferedArticle get(Long key) {
        BufferedArticle unwritten = pending.get(key);
        return unwritten != null ? unwritten : wrapped().get(key);
    }

    /** Writes what is pending first, so that the store below can answer alone. */
    @Override
    public KeyValueIterator<Long, BufferedArticle> range(Long from, Long to) {
        writePending();
        return wrapped().range(from, to);
    }

    @Override
    public KeyValueIterator<Long, BufferedArticle> all() {
        writePending();
        return wrapped().all();
    }

    @Override
    public long approximateNumEntries() {
        return wrapped().approximateNumEntries() + pending.size();
    }

    @Override
    public void flushCache() {
        writePending();
        super.flushCache();
    }

    @Override
    public void close() {
        pending.clear();
        super.close();
    }

    private void writePending() {
        if (pending.isEmpty()) {
            return;
        }
        List<KeyValue<Long, BufferedArticle>> entries = new ArrayList<>(pending.size());
        pending.forEach((key, value) -> entries.add(KeyValue.pair(key, value)));
        pending.clear();
        wrapped().putAll(entries);
    }

    private record Builder(StoreBuilder<KeyValueStore<Long, BufferedArticle>> inner)
            implements StoreBuilder<KeyValueStore<Long, BufferedArticle>> {

        @Override
        public StoreBuilder<KeyValueStore<Long, BufferedArticle>> withCachingEnabled() {
            throw new UnsupportedOperationException("the deferred-write store is the buffer's cache");
        }

        @Override
        public StoreBuilder<KeyValueStore<Long, BufferedArticle>> withCachingDisabled() {
            return this;
        }

        @Override
        public StoreBuilder<KeyValueStore<Long, BufferedArticle>> withLoggingEnabled(Map<String, String> config) {
            return new Builder(inner.withLoggingEnabled(config));
        }

        @Override
        public StoreBuilder<KeyValueStore<Long, BufferedArticle>> withLoggingDisabled() {
            return new Builder(inner.withLoggingDisabled());
        }

        @Override
        public KeyValueStore<Long, BufferedArticle> build() {
            return new DeferredWriteStore(inner.build());
        }

        @Override
        public Map<String, String> logConfig() {
            return inner.logConfig();
        }

        @Override
        public boolean loggingEnabled() {
            return inner.loggingEnabled();
        }

        @Override
        public String name() {
            return inner.name();
        }
    }
}
