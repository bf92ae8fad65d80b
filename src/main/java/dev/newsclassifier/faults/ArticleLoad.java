package dev.newsclassifier.faults;

import dev.newsclassifier.avro.NewsArticle;
import dev.newsclassifier.dataset.LabeledArticle;
import dev.newsclassifier.registry.SchemaRegistryClient;
import dev.newsclassifier.serde.ConfluentAvroSerdeConfig;
import dev.newsclassifier.serde.ConfluentAvroSerializer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes a run's articles to its raw topic, all at once or at a steady rate from a background
 * thread. Every article gets an id unique to the run, so the delivery check can account for each;
 * texts are taken from the given articles in turn.
 */
public final class ArticleLoad implements AutoCloseable {

    private final KafkaProducer<String, NewsArticle> producer;
    private final String topic;
    private final List<String> ids;
    private final List<NewsArticle> articles;
    private final SchemaRegistryClient registry;
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private Thread pacer;

    private ArticleLoad(FaultStack stack, String topic, String run, List<LabeledArticle> texts, int count) {
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("no articles to publish");
        }
        this.topic = topic;
        this.articles = new ArrayList<>(count);
        this.ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            LabeledArticle text = texts.get(i % texts.size());
            String id = id(run, i);
            ids.add(id);
            articles.add(NewsArticle.newBuilder().setId(id).setTitle(text.title())
                    .setDescription(text.description() == null ? "" : text.description())
                    .setSource(text.source()).build());
        }
        this.registry = SchemaRegistryClient.create(stack.registryUrl());
        ConfluentAvroSerializer<NewsArticle> serializer = new ConfluentAvroSerializer<>(registry);
        serializer.configure(Map.of(), false);
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                // A broker restart in the middle of a run must delay the articles, not drop them.
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 300_000),
                new StringSerializer(), serializer);
    }

    public static ArticleLoad of(FaultStack stack, String topic, String run, List<LabeledArticle> texts, int count) {
        return new ArticleLoad(stack, topic, run, texts, count);
    }

    /** The id of the article at {@code index} (from 0) of run {@code run}'s load. */
    static String id(String run, int index) {
        return String.format("%s-%06d", run, index + 1);
    }

    /** Every id this load publishes, in order. */
    public List<String> ids() {
        return ids;
    }

    public int published() {
        return sent.get();
    }

    /** Registers the article schema (the registry must be up), so later sends need no registry. */
    public ArticleLoad registerSchema() {
        registry.register(ConfluentAvroSerdeConfig.subject(topic, false), NewsArticle.getClassSchema());
        return this;
    }

    /** Publishes the next {@code count} articles now and waits until the broker has them all. */
    public void publishNow(int count) {
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (int i = 0; i < count && sent.get() < articles.size(); i++) {
            acks.add(send(sent.getAndIncrement()));
        }
        producer.flush();
        for (Future<RecordMetadata> ack : acks) {
            awaitAck(ack);
        }
    }

    /** Publishes the rest at {@code perSecond} from a background thread; {@link #awaitPublished()} joins it. */
    public synchronized ArticleLoad startPaced(double perSecond) {
        if (pacer != null) {
            throw new IllegalStateException("already publishing");
        }
        pacer = new Thread(() -> {
            long start = System.nanoTime();
            int first = sent.get();
            try {
                while (sent.get() < articles.size()) {
                    long due = start + (long) ((sent.get() - first) * 1e9 / perSecond);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    send(sent.getAndIncrement());
                }
                producer.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                failure.set(e);
            }
        }, "article-load-" + topic);
        pacer.setDaemon(true);
        pacer.start();
        return this;
    }

    /** Waits for the paced thread to publish everything and the broker to acknowledge it. */
    public void awaitPublished() {
        Thread thread;
        synchronized (this) {
            thread = pacer;
        }
        if (thread != null) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        producer.flush();
        if (failure.get() != null) {
            throw new IllegalStateException("publishing failed: " + failure.get().getMessage(), failure.get());
        }
    }

    private Future<RecordMetadata> send(int index) {
        NewsArticle article = articles.get(index);
        return producer.send(new ProducerRecord<>(topic, article.getId(), article), (metadata, error) -> {
            if (error != null) {
                failure.compareAndSet(null, error);
            }
        });
    }

    private static void awaitAck(Future<RecordMetadata> ack) {
        try {
            ack.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("publishing failed: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        Thread thread;
        synchronized (this) {
            thread = pacer;
        }
        if (thread != null) {
            thread.interrupt();
        }
        producer.close();
    }
}
