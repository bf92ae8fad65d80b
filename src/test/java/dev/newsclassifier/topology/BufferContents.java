package dev.newsclassifier.topology;

import dev.newsclassifier.avro.BufferedArticle;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/** What a batch buffer holds, counted exactly: a RocksDB store only estimates its entry count. */
final class BufferContents {

    private BufferContents() {
    }

    static int count(KeyValueStore<Long, BufferedArticle> buffer) {
        int count = 0;
        try (KeyValueIterator<Long, BufferedArticle> all = buffer.all()) {
            while (all.hasNext()) {
                all.next();
                count++;
            }
        }
        return count;
    }
}
