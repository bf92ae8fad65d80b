package dev.newsclassifier.service;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.time.Duration;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.jboss.logging.Logger;

/**
 * Leaves the consumer group on a graceful stop. Kafka Streams' own close keeps the instance in the group, so that
 * a quick restart under the same {@code news.instance.id} finds its partitions waiting; but a rolling update
 * replaces a pod by one with another name, and the group would hold the old pod's partitions, unprocessed, for
 * the whole session timeout. Leaving hands them over at once. A killed instance cannot leave: static membership
 * ({@code news.instance.id}) is what brings its partitions back quickly when it restarts.
 *
 * <p>This runs before the Kafka Streams extension's own close (a lower observer priority), which then finds the
 * client closed.
 */
@ApplicationScoped
public class GroupMembership {

    private static final Logger LOG = Logger.getLogger(GroupMembership.class);
    /** Within the pod's grace period (60 s) less Quarkus's HTTP drain (10 s), with room for the JVM to exit. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(40);

    @Inject
    KafkaStreams streams;

    void leaveOnStop(@Observes @Priority(Interceptor.Priority.APPLICATION) ShutdownEvent stopping) {
        if (streams == null || !streams.state().isRunningOrRebalancing()) {
            return;
        }
        LOG.info("Stopping: committing open work and leaving the consumer group");
        boolean closed = streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(CLOSE_TIMEOUT));
        if (!closed) {
            LOG.warnf("Kafka Streams did not close within %d s", CLOSE_TIMEOUT.toSeconds());
        }
    }
}
