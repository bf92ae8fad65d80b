package dev.newsclassifier.cli;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import java.util.concurrent.Callable;
import org.jboss.logging.Logger;
import picocli.CommandLine.Command;

/** Runs the service until it is stopped (SIGTERM or Ctrl-C), against the configured Kafka and registry. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run the classification service against the configured Kafka cluster and schema registry.",
                "Configure it with environment variables or -D system properties, e.g.",
                "  KAFKA_BOOTSTRAP_SERVERS=broker:9092 NEWS_REGISTRY_URL=http://registry:8081 ./news-classifier serve"})
final class ServeCommand implements Callable<Integer> {

    private static final Logger LOG = Logger.getLogger(ServeCommand.class);

    @Override
    public Integer call() {
        int[] exitCode = {0};
        Quarkus.run(Service.class, (code, failure) -> {
            if (failure != null) {
                // Replacing Quarkus's exit handler also replaces its failure log: say what failed, once.
                LOG.errorf("The service failed to start: %s", EmbeddedRun.causes(failure));
            }
            exitCode[0] = failure == null ? code : 1;
        });
        return exitCode[0];
    }

    /** Serves until shutdown; the topology starts with the application. */
    public static final class Service implements QuarkusApplication {
        @Override
        public int run(String... args) {
            Quarkus.waitForExit();
            return 0;
        }
    }
}
