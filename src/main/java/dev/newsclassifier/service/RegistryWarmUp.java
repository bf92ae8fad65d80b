package dev.newsclassifier.service;

import dev.newsclassifier.avro.ClassifiedArticle;
import dev.newsclassifier.registry.SchemaRegistryClient;
import dev.newsclassifier.registry.SchemaRegistryException;
import dev.newsclassifier.registry.SchemaRegistryUnavailableException;
import dev.newsclassifier.serde.ConfluentAvroSerdeConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Contacts the schema registry at start-up and resolves the output schema's id, which the
 * serializer then finds in the shared client's cache. A registry that does not answer is not a
 * reason to crash-loop: the service logs that it is unreachable, retries with a growing pause,
 * and stays not-ready until the registry answers. Articles meanwhile wait in Kafka (a stream
 * thread that meets an unknown schema id pauses and retries, see {@link StreamsFailurePolicy}).
 * Once resolved, the output schema no longer needs the registry, nor do input schemas already
 * seen, so a later outage does not stop classification.
 */
@ApplicationScoped
public class RegistryWarmUp {

    private static final Logger LOG = Logger.getLogger(RegistryWarmUp.class);
    private static final long FIRST_PAUSE_MS = 1_000;
    private static final long MAX_PAUSE_MS = 30_000;

    @Inject
    NewsConfig config;

    @Inject
    SchemaRegistryClient client;

    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "schema-registry-warm-up");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean reached;

    void start(@Observes StartupEvent started) {
        if (!ArticleSerdes.BUILT_IN.equals(config.registry().serde())) {
            // A foreign serde brings its own registry client, which this one cannot warm.
            reached = true;
            return;
        }
        retries.execute(() -> attempt(FIRST_PAUSE_MS));
    }

    void stop(@Observes ShutdownEvent stopping) {
        retries.shutdownNow();
    }

    /** Whether the registry has answered and the output schema's id is known. */
    public boolean reached() {
        return reached;
    }

    private void attempt(long pauseMs) {
        String subject = ConfluentAvroSerdeConfig.subject(config.topics().labeled(), false);
        try {
            int id = config.registry().autoRegister() ? client.register(subject, ClassifiedArticle.getClassSchema())
                    : client.lookupId(subject, ClassifiedArticle.getClassSchema());
            reached = true;
            LOG.infof("Schema registry %s answered; %s is schema id %d", client.urls(), subject, id);
        } catch (SchemaRegistryUnavailableException e) {
            LOG.warnf("Schema registry unreachable at %s (%s); articles wait in Kafka until it answers, "
                    + "retrying in %d s", client.urls(), e.getMessage(), pauseMs / 1000);
            retryLater(pauseMs);
        } catch (SchemaRegistryException e) {
            LOG.errorf("Schema registry %s refused the output schema for %s: %s; retrying in %d s", client.urls(),
                    subject, e.getMessage(), pauseMs / 1000);
            retryLater(pauseMs);
        }
    }

    private void retryLater(long pauseMs) {
        long next = Math.min(MAX_PAUSE_MS, pauseMs * 2);
        if (!retries.isShutdown()) {
            retries.schedule(() -> attempt(next), pauseMs, TimeUnit.MILLISECONDS);
        }
    }
}
