package dev.newsclassifier.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/** Reading the files under docker/ and k8s/, and the facts several tests compare. */
final class DeploymentFiles {

    static final Path DOCKER = Path.of("docker");
    static final Path K8S = Path.of("k8s");
    static final Path COMPOSE = DOCKER.resolve("compose.yaml");
    static final Path K8S_README = K8S.resolve("README.md");
    static final int HTTP_PORT = 8080;
    /**
     * Time to keep after Quarkus's HTTP drain (quarkus.shutdown.timeout) for KafkaStreams.close(), which Quarkus
     * calls without a limit: committing the open transaction and leaving the group takes seconds, more under load.
     */
    static final Duration KAFKA_STREAMS_CLOSE_ALLOWANCE = Duration.ofSeconds(30);

    private static final YAMLMapper YAML = new YAMLMapper();

    private DeploymentFiles() {
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every document of a multi-document YAML text, empty documents left out. */
    static List<JsonNode> yamlDocuments(String text) {
        List<JsonNode> documents = new ArrayList<>();
        try (MappingIterator<JsonNode> iterator = YAML.readerFor(JsonNode.class).readValues(text)) {
            while (iterator.hasNext()) {
                JsonNode document = iterator.next();
                if (document != null && !document.isNull() && !document.isEmpty()) {
                    documents.add(document);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return documents;
    }

    static JsonNode yaml(Path file) {
        List<JsonNode> documents = yamlDocuments(read(file));
        assertThat(documents).as("documents in %s", file).hasSize(1);
        return documents.get(0);
    }

    /** The raw topic's partition count as k8s/README.md documents it ("The raw topic has N partitions"). */
    static int documentedRawTopicPartitions() {
        Matcher matcher = Pattern.compile("The raw topic has (\\d+) partitions").matcher(read(K8S_README));
        assertThat(matcher.find()).as("k8s/README.md states the raw topic's partition count").isTrue();
        return Integer.parseInt(matcher.group(1));
    }

    /** The Kafka version the application's clients are built with (pom.xml's kafka.version). */
    static String kafkaVersion() {
        return pomProperty("kafka.version");
    }

    /**
     * The Kafka broker the deployment files run (pom.xml's kafka.deployed-broker.version), checked to be one the
     * clients can talk to: Kafka 4 clients need a broker of 2.1 or later (KIP-896), and none newer than themselves
     * is assumed.
     */
    static String deployedBrokerVersion() {
        String broker = pomProperty("kafka.deployed-broker.version");
        assertThat(compareVersions(broker, "2.1.0")).as("broker %s is 2.1 or later", broker).isGreaterThanOrEqualTo(0);
        assertThat(compareVersions(broker, kafkaVersion())).as("broker %s is not newer than the clients %s", broker,
                kafkaVersion()).isLessThanOrEqualTo(0);
        return broker;
    }

    private static String pomProperty(String name) {
        Matcher matcher = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</" + Pattern.quote(name) + ">")
                .matcher(read(Path.of("pom.xml")));
        assertThat(matcher.find()).as("pom.xml sets %s", name).isTrue();
        return matcher.group(1);
    }

    private static int compareVersions(String a, String b) {
        String[] left = a.split("\\.");
        String[] right = b.split("\\.");
        for (int i = 0; i < Math.max(left.length, right.length); i++) {
            int difference = Integer.compare(i < left.length ? Integer.parseInt(left[i]) : 0,
                    i < right.length ? Integer.parseInt(right[i]) : 0);
            if (difference != 0) {
                return difference;
            }
        }
        return 0;
    }

    /** Durations as the deployment files write them: "50s", "2m", "500ms". */
    static Duration duration(String text) {
        Matcher matcher = Pattern.compile("(\\d+)(ms|s|m)").matcher(text.trim().toLowerCase(Locale.ROOT));
        assertThat(matcher.matches()).as("duration %s", text).isTrue();
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            default -> Duration.ofMinutes(amount);
        };
    }
}
