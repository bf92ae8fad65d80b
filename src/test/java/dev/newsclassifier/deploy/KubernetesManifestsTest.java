package dev.newsclassifier.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Renders every overlay under k8s/overlays with a real kustomize and checks what the cluster would receive:
 * probes, limits and a locked-down security context on every container, writable volumes where the service writes,
 * a grace period that lets Kafka Streams commit and close, autoscaling capped at the raw topic's partitions, images and settings
 * that agree with docker/ and the application. Skipped when neither {@code kustomize} nor {@code kubectl} is on the
 * PATH, unless {@code NEWS_CLASSIFIER_REQUIRE_KUSTOMIZE=1}, which CI sets, turns that into a failure.
 */
class KubernetesManifestsTest {

    private static final List<String> OVERLAYS = List.of("cpu", "cpu-hpa", "gpu", "dev");
    private static final Set<String> WORKLOAD_KINDS = Set.of("Deployment", "StatefulSet", "DaemonSet", "Job");
    private static final String CLASSIFIER = "news-classifier";

    private static Optional<Kustomize> kustomize;
    private static final Map<String, List<JsonNode>> RENDERED = new HashMap<>();

    @BeforeAll
    static void findRenderer() {
        kustomize = Kustomize.find();
        if (kustomize.isEmpty() && "1".equals(System.getenv("NEWS_CLASSIFIER_REQUIRE_KUSTOMIZE"))) {
            fail("neither kustomize nor kubectl is on the PATH (NEWS_CLASSIFIER_REQUIRE_KUSTOMIZE=1 makes this a failure)");
        }
    }

    @BeforeEach
    void skipWithoutRenderer() {
        // Assumed per test, so that the reports list each test as skipped with this reason.
        assumeTrue(kustomize.isPresent(), "neither kustomize nor kubectl is on the PATH; install kubectl 1.27+ to render k8s/");
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "cpu-hpa", "gpu", "dev"})
    void shouldGiveEveryContainerProbesLimitsAndNonRootUser(String overlay) {
        List<JsonNode> workloads = ofKind(overlay, WORKLOAD_KINDS);
        assertThat(workloads).isNotEmpty();
        for (JsonNode workload : workloads) {
            JsonNode pod = workload.at("/spec/template/spec");
            assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).as("pod runAsNonRoot").isTrue();
            assertThat(pod.at("/securityContext/runAsUser").asInt()).as("pod runAsUser").isPositive();
            assertThat(pod.path("automountServiceAccountToken").asBoolean(true)).as("API token mounted").isFalse();
            for (JsonNode container : pod.path("containers")) {
                String name = workload.at("/metadata/name").asText() + "/" + container.path("name").asText();
                assertThat(container.at("/readinessProbe/httpGet/path").asText()).as("%s readiness path", name).isNotEmpty();
                assertThat(container.at("/livenessProbe/httpGet/path").asText()).as("%s liveness path", name).isNotEmpty();
                assertThat(container.at("/resources/limits/cpu").asText()).as("%s cpu limit", name).isNotEmpty();
                assertThat(container.at("/resources/limits/memory").asText()).as("%s memory limit", name).isNotEmpty();
                assertThat(container.at("/resources/requests/memory").asText()).as("%s memory request", name).isNotEmpty();
                JsonNode security = container.path("securityContext");
                assertThat(security.path("runAsNonRoot").asBoolean()).as("%s runAsNonRoot", name).isTrue();
                assertThat(security.path("readOnlyRootFilesystem").asBoolean()).as("%s read-only root", name).isTrue();
                assertThat(security.path("allowPrivilegeEscalation").asBoolean(true)).as("%s escalation", name).isFalse();
                assertThat(texts(security.at("/capabilities/drop"))).as("%s dropped capabilities", name).containsExactly("ALL");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "cpu-hpa", "gpu", "dev"})
    void shouldProbeClassifierHealthEndpointsOnItsHttpPort(String overlay) {
        JsonNode container = classifierContainer(overlay);
        assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/q/health/ready");
        assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/q/health/live");
        assertThat(container.at("/startupProbe/httpGet/path").asText()).isEqualTo("/q/health/live");
        for (String probe : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
            assertThat(containerPort(container, container.at("/" + probe + "/httpGet/port"))).as(probe)
                    .isEqualTo(DeploymentFiles.HTTP_PORT);
        }
        JsonNode pod = workload(overlay, CLASSIFIER).at("/spec/template/spec");
        assertThat(pod.at("/securityContext/runAsUser").asText()).isEqualTo(ContainerImagesTest.APP_UID);
        assertThat(pod.at("/securityContext/runAsGroup").asText()).isEqualTo(ContainerImagesTest.APP_UID);
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "cpu-hpa", "gpu", "dev"})
    void shouldMountWritableEmptyDirsWhereTheServiceWrites(String overlay) {
        JsonNode container = classifierContainer(overlay);
        Map<String, String> environment = classifierEnvironment(overlay);
        Map<String, String> mounts = new HashMap<>();
        container.path("volumeMounts").forEach(mount -> mounts.put(mount.path("mountPath").asText(), mount.path("name").asText()));
        List<String> writablePaths = List.of("/tmp", environment.get("DJL_CACHE_DIR"), environment.get("KAFKA_STREAMS_STATE_DIR"));
        assertThat(mounts).containsOnlyKeys(writablePaths);
        JsonNode volumes = workload(overlay, CLASSIFIER).at("/spec/template/spec/volumes");
        for (String volume : mounts.values()) {
            assertThat(volumes).anySatisfy(candidate -> {
                assertThat(candidate.path("name").asText()).isEqualTo(volume);
                assertThat(candidate.at("/emptyDir/sizeLimit").asText()).isNotEmpty();
            });
        }
        assertThat(environment).containsEntry("NEWS_MODEL_DIR", ContainerImagesTest.MODEL_PATH);
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "cpu-hpa", "gpu", "dev"})
    void shouldLeaveKafkaStreamsTimeToCommitBeforeKill(String overlay) {
        Map<String, String> environment = classifierEnvironment(overlay);
        Duration httpDrain = DeploymentFiles.duration(environment.get("QUARKUS_SHUTDOWN_TIMEOUT"));
        Duration grace = Duration.ofSeconds(workload(overlay, CLASSIFIER).at("/spec/template/spec/terminationGracePeriodSeconds").asLong());
        assertThat(grace).isEqualTo(Duration.ofSeconds(60));
        assertThat(grace.minus(httpDrain)).isGreaterThanOrEqualTo(DeploymentFiles.KAFKA_STREAMS_CLOSE_ALLOWANCE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "cpu-hpa", "gpu", "dev"})
    void shouldSetOnlyConfigKeysTheApplicationKnows(String overlay) {
        assertThat(ApplicationConfigKeys.unknownVariables(classifierEnvironment(overlay).keySet())).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "cpu-hpa", "gpu", "dev"})
    void shouldTakeCredentialsFromSecretReferencesOnly(String overlay) {
        assertThat(ofKind(overlay, Set.of("Secret"))).as("Secret objects (values) in the manifests").isEmpty();
        JsonNode container = classifierContainer(overlay);
        Map<String, String> secretKeys = new HashMap<>();
        for (JsonNode variable : container.path("env")) {
            assertThat(variable.has("value")).as("%s has a literal value", variable.path("name").asText()).isFalse();
            JsonNode secret = variable.at("/valueFrom/secretKeyRef");
            secretKeys.put(variable.path("name").asText(), secret.path("name").asText() + "/" + secret.path("key").asText());
        }
        assertThat(secretKeys).containsEntry("NEWS_REGISTRY_BASIC_AUTH_USER_INFO", "news-classifier-registry/basic-auth-user-info")
                .containsEntry("NEWS_ADMIN_TOKEN", "news-classifier-admin/token");
        if (overlay.equals("dev")) {
            assertThat(secretKeys).doesNotContainKey("QUARKUS_KAFKA_STREAMS_SASL_JAAS_CONFIG");
            assertThat(classifierEnvironment(overlay)).containsEntry("QUARKUS_KAFKA_STREAMS_SECURITY_PROTOCOL", "PLAINTEXT");
        } else {
            assertThat(secretKeys).containsEntry("QUARKUS_KAFKA_STREAMS_SASL_JAAS_CONFIG", "news-classifier-kafka/sasl.jaas.config");
            assertThat(classifierEnvironment(overlay)).containsEntry("QUARKUS_KAFKA_STREAMS_SECURITY_PROTOCOL", "SASL_SSL");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "cpu-hpa", "gpu", "dev"})
    void shouldGiveEachPodItsNameAsStaticGroupMemberAndKeepItsStateAcrossContainerRestarts(String overlay) {
        JsonNode container = classifierContainer(overlay);
        String instanceIdSource = null;
        for (JsonNode variable : container.path("env")) {
            if (variable.path("name").asText().equals("NEWS_INSTANCE_ID")) {
                instanceIdSource = variable.at("/valueFrom/fieldRef/fieldPath").asText();
            }
        }
        assertThat(instanceIdSource).as("NEWS_INSTANCE_ID from the downward API").isEqualTo("metadata.name");
        String stateDir = classifierEnvironment(overlay).get("KAFKA_STREAMS_STATE_DIR");
        String stateVolume = null;
        for (JsonNode mount : container.path("volumeMounts")) {
            if (mount.path("mountPath").asText().equals(stateDir)) {
                stateVolume = mount.path("name").asText();
            }
        }
        assertThat(stateVolume).as("a volume at the state directory %s", stateDir).isNotNull();
        JsonNode pod = workload(overlay, CLASSIFIER).at("/spec/template/spec");
        boolean emptyDir = false;
        for (JsonNode volume : pod.path("volumes")) {
            if (volume.path("name").asText().equals(stateVolume)) {
                emptyDir = volume.has("emptyDir");
            }
        }
        assertThat(emptyDir).as("the state volume outlives a container restart of its pod (emptyDir)").isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "cpu-hpa", "gpu", "dev"})
    void shouldRunExactlyOneAutoscalerCappedAtRawTopicPartitions(String overlay) {
        List<JsonNode> scaledObjects = ofKind(overlay, Set.of("ScaledObject"));
        List<JsonNode> hpas = ofKind(overlay, Set.of("HorizontalPodAutoscaler"));
        assertThat(scaledObjects.size() + hpas.size()).as("autoscalers").isEqualTo(1);
        assertThat(workload(overlay, CLASSIFIER).at("/spec/replicas").isMissingNode())
                .as("Deployment leaves replicas to the autoscaler").isTrue();
        int partitions = DeploymentFiles.documentedRawTopicPartitions();
        if (overlay.equals("cpu-hpa")) {
            assertThat(hpas.get(0).at("/spec/maxReplicas").asInt()).isEqualTo(partitions);
            assertThat(hpas.get(0).at("/spec/scaleTargetRef/name").asText()).isEqualTo(CLASSIFIER);
            return;
        }
        JsonNode scaledObject = scaledObjects.get(0);
        Map<String, String> environment = classifierEnvironment(overlay);
        assertThat(scaledObject.at("/spec/scaleTargetRef/name").asText()).isEqualTo(CLASSIFIER);
        assertThat(scaledObject.at("/spec/maxReplicaCount").asInt()).isEqualTo(partitions);
        JsonNode triggers = scaledObject.at("/spec/triggers");
        assertThat(triggers).hasSize(1);
        JsonNode trigger = triggers.get(0);
        assertThat(trigger.path("type").asText()).isEqualTo("kafka");
        JsonNode metadata = trigger.path("metadata");
        assertThat(metadata.path("consumerGroup").asText()).isEqualTo(environment.get("QUARKUS_KAFKA_STREAMS_APPLICATION_ID"));
        assertThat(metadata.path("topic").asText()).isEqualTo(environment.get("NEWS_TOPICS_RAW"));
        assertThat(metadata.path("bootstrapServers").asText()).isEqualTo(environment.get("KAFKA_BOOTSTRAP_SERVERS"));
        assertThat(Integer.parseInt(metadata.path("lagThreshold").asText())).isPositive();
        assertThat(metadata.path("offsetResetPolicy").asText()).isEqualTo("earliest");
        String authentication = trigger.at("/authenticationRef/name").asText();
        if (overlay.equals("dev")) {
            assertThat(authentication).isEmpty();
            assertThat(ofKind(overlay, Set.of("TriggerAuthentication"))).isEmpty();
        } else {
            assertThat(ofKind(overlay, Set.of("TriggerAuthentication")))
                    .extracting(auth -> auth.at("/metadata/name").asText()).containsExactly(authentication);
        }
    }

    @Test
    void shouldCreateRawTopicWithAsManyPartitionsAsTheAutoscalerMaximum() {
        Map<String, String> environment = classifierEnvironment("dev");
        Map<String, Integer> partitions = new HashMap<>();
        for (JsonNode topic : ofKind("dev", Set.of("KafkaTopic"))) {
            assertThat(topic.at("/metadata/labels/strimzi.io~1cluster").asText()).isEqualTo("news");
            partitions.put(topic.at("/spec/topicName").asText(), topic.at("/spec/partitions").asInt());
        }
        assertThat(partitions).containsOnlyKeys(environment.get("NEWS_TOPICS_RAW"), environment.get("NEWS_TOPICS_LABELED"),
                environment.get("NEWS_TOPICS_DEAD_LETTER"));
        int rawPartitions = partitions.get(environment.get("NEWS_TOPICS_RAW"));
        assertThat(rawPartitions).isEqualTo(DeploymentFiles.documentedRawTopicPartitions());
        assertThat(ofKind("dev", Set.of("ScaledObject")).get(0).at("/spec/maxReplicaCount").asInt()).isEqualTo(rawPartitions);
    }

    @Test
    void shouldSizeDevTopicsForTheRecordsTheServiceReadsAndWrites() throws IOException {
        Properties application = new Properties();
        try (var reader = Files.newBufferedReader(ApplicationConfigKeys.APPLICATION_PROPERTIES)) {
            application.load(reader);
        }
        int maxRecordBytes = Integer.parseInt(application.getProperty("news.validation.max-record-bytes"));
        int maxRequestSize = Integer.parseInt(application.getProperty("kafka-streams.producer.max.request.size"));
        Map<String, String> environment = classifierEnvironment("dev");
        Map<String, Integer> maxMessageBytes = new HashMap<>();
        for (JsonNode topic : ofKind("dev", Set.of("KafkaTopic"))) {
            maxMessageBytes.put(topic.at("/spec/topicName").asText(), topic.at("/spec/config/max.message.bytes").asInt());
        }
        assertThat(maxMessageBytes.get(environment.get("NEWS_TOPICS_RAW"))).as("raw topic")
                .isGreaterThan(maxRecordBytes).isLessThan(maxRequestSize);
        assertThat(maxMessageBytes.get(environment.get("NEWS_TOPICS_LABELED"))).as("labeled topic").isEqualTo(maxRequestSize);
        assertThat(maxMessageBytes.get(environment.get("NEWS_TOPICS_DEAD_LETTER"))).as("dead-letter topic")
                .isEqualTo(maxRequestSize);
        assertThat(application.getProperty("kafka-streams.topic.max.message.bytes")).as("internal topics")
                .isEqualTo(Integer.toString(maxRequestSize));
    }

    @Test
    void shouldRunDevKafkaInKraftModeWithADeployedBrokerTheClientsSupport() {
        JsonNode kafka = ofKind("dev", Set.of("Kafka")).get(0);
        assertThat(kafka.at("/metadata/annotations/strimzi.io~1kraft").asText()).isEqualTo("enabled");
        assertThat(kafka.at("/metadata/annotations/strimzi.io~1node-pools").asText()).isEqualTo("enabled");
        assertThat(kafka.at("/spec/kafka/version").asText()).isEqualTo(DeploymentFiles.deployedBrokerVersion());
        assertThat(kafka.at("/spec/zookeeper").isMissingNode()).isTrue();
        JsonNode nodePool = ofKind("dev", Set.of("KafkaNodePool")).get(0);
        assertThat(texts(nodePool.at("/spec/roles"))).containsExactlyInAnyOrder("controller", "broker");
        String bootstrap = kafka.at("/metadata/name").asText() + "-kafka-bootstrap:" + kafka.at("/spec/kafka/listeners/0/port").asText();
        assertThat(classifierEnvironment("dev")).containsEntry("KAFKA_BOOTSTRAP_SERVERS", bootstrap)
                .containsEntry("NEWS_REGISTRY_URL", "http://schema-registry:8081");
    }

    @Test
    void shouldUseTheImagesThatDockerAndComposeBuild() {
        String composeImage = DeploymentFiles.yaml(DeploymentFiles.COMPOSE).at("/services/news-classifier/image").asText();
        assertThat(classifierContainer("cpu").path("image").asText()).isEqualTo(composeImage)
                .isEqualTo(ContainerImagesTest.JVM.builtImage().orElseThrow());
        assertThat(classifierContainer("cpu-hpa").path("image").asText()).isEqualTo(composeImage);
        assertThat(classifierContainer("dev").path("image").asText()).isEqualTo(composeImage);
        assertThat(classifierContainer("gpu").path("image").asText()).isEqualTo(composeImage + "-cuda")
                .isEqualTo(ContainerImagesTest.CUDA.builtImage().orElseThrow());
    }

    @Test
    void shouldRequestOneGpuAndCudaOnlyInGpuOverlay() {
        JsonNode gpu = classifierContainer("gpu");
        assertThat(gpu.at("/resources/limits/nvidia.com~1gpu").asInt()).isEqualTo(1);
        assertThat(classifierEnvironment("gpu")).containsEntry("NEWS_INFERENCE_DEVICE", "cuda")
                .containsEntry("NEWS_INFERENCE_FALLBACK_TO_CPU", "false");
        JsonNode pod = workload("gpu", CLASSIFIER).at("/spec/template/spec");
        assertThat(pod.path("tolerations")).anySatisfy(toleration ->
                assertThat(toleration.path("key").asText()).isEqualTo("nvidia.com/gpu"));
        assertThat(pod.at("/nodeSelector/nvidia.com~1gpu.present").asText()).isEqualTo("true");
        for (String overlay : List.of("cpu", "cpu-hpa", "dev")) {
            assertThat(classifierContainer(overlay).at("/resources/limits/nvidia.com~1gpu").isMissingNode()).isTrue();
            assertThat(classifierEnvironment(overlay)).containsEntry("NEWS_INFERENCE_DEVICE", "cpu");
        }
    }

    @Test
    void shouldScrapeMetricsBudgetDisruptionsAndRestrictTraffic() {
        for (String overlay : OVERLAYS) {
            JsonNode service = named(overlay, "Service", CLASSIFIER);
            assertThat(service.at("/metadata/annotations/prometheus.io~1scrape").asText()).isEqualTo("true");
            assertThat(service.at("/metadata/annotations/prometheus.io~1path").asText()).isEqualTo("/q/metrics");
            assertThat(service.at("/metadata/annotations/prometheus.io~1port").asText()).isEqualTo(String.valueOf(DeploymentFiles.HTTP_PORT));
            assertThat(named(overlay, "PodDisruptionBudget", CLASSIFIER).at("/spec/maxUnavailable").asInt()).isEqualTo(1);
            JsonNode policy = named(overlay, "NetworkPolicy", CLASSIFIER);
            assertThat(texts(policy.at("/spec/policyTypes"))).containsExactlyInAnyOrder("Ingress", "Egress");
            assertThat(policy.at("/spec/ingress/0/ports/0/port").asInt()).isEqualTo(DeploymentFiles.HTTP_PORT);
            for (JsonNode selected : List.of(service.at("/spec/selector"), policy.at("/spec/podSelector/matchLabels"),
                    named(overlay, "PodDisruptionBudget", CLASSIFIER).at("/spec/selector/matchLabels"))) {
                assertThat(selected.path("app.kubernetes.io/name").asText()).isEqualTo(CLASSIFIER);
            }
            for (JsonNode resource : RENDERED.get(overlay)) {
                if (!resource.path("kind").asText().equals("Namespace")) {
                    assertThat(resource.at("/metadata/namespace").asText()).isEqualTo(CLASSIFIER);
                }
            }
        }
    }

    @Test
    void shouldScrapeMetricsServiceFromOptionalServiceMonitor() throws IOException {
        // The component is added to an overlay by hand; render it the way k8s/README.md describes, from a
        // kustomization under target/ (kustomize refuses absolute paths to other kustomizations).
        Path kustomization = Path.of("target", "kustomize", "cpu-servicemonitor");
        Files.createDirectories(kustomization);
        Files.writeString(kustomization.resolve("kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                namespace: news-classifier
                resources:
                  - ../../../k8s/overlays/cpu
                components:
                  - ../../../k8s/components/servicemonitor
                """);
        List<JsonNode> resources = DeploymentFiles.yamlDocuments(kustomize.orElseThrow().render(kustomization));
        JsonNode monitor = resources.stream().filter(resource -> resource.path("kind").asText().equals("ServiceMonitor"))
                .findFirst().orElseThrow();
        JsonNode service = named("cpu", "Service", CLASSIFIER);
        assertThat(monitor.at("/metadata/namespace").asText()).isEqualTo(CLASSIFIER);
        monitor.at("/spec/selector/matchLabels").fields().forEachRemaining(label ->
                assertThat(service.at("/metadata/labels").path(label.getKey()).asText()).isEqualTo(label.getValue().asText()));
        assertThat(monitor.at("/spec/endpoints/0/port").asText()).isEqualTo(service.at("/spec/ports/0/name").asText());
        assertThat(monitor.at("/spec/endpoints/0/path").asText()).isEqualTo("/q/metrics");
    }

    private static List<JsonNode> rendered(String overlay) {
        return RENDERED.computeIfAbsent(overlay, name -> DeploymentFiles.yamlDocuments(
                kustomize.orElseThrow().render(DeploymentFiles.K8S.resolve("overlays").resolve(name))));
    }

    private static List<JsonNode> ofKind(String overlay, Set<String> kinds) {
        return rendered(overlay).stream().filter(resource -> kinds.contains(resource.path("kind").asText())).toList();
    }

    private static JsonNode named(String overlay, String kind, String name) {
        List<JsonNode> matches = ofKind(overlay, Set.of(kind)).stream()
                .filter(resource -> resource.at("/metadata/name").asText().equals(name)).toList();
        assertThat(matches).as("%s %s in overlay %s", kind, name, overlay).hasSize(1);
        return matches.get(0);
    }

    private static JsonNode workload(String overlay, String name) {
        return named(overlay, "Deployment", name);
    }

    private static JsonNode classifierContainer(String overlay) {
        JsonNode containers = workload(overlay, CLASSIFIER).at("/spec/template/spec/containers");
        assertThat(containers).hasSize(1);
        assertThat(containers.get(0).path("name").asText()).isEqualTo(CLASSIFIER);
        return containers.get(0);
    }

    /** What the classifier's environment holds: its ConfigMaps' entries and its own env entries (secret refs as ""). */
    private static Map<String, String> classifierEnvironment(String overlay) {
        JsonNode container = classifierContainer(overlay);
        Map<String, String> environment = new HashMap<>();
        for (JsonNode source : container.path("envFrom")) {
            JsonNode configMap = named(overlay, "ConfigMap", source.at("/configMapRef/name").asText());
            configMap.path("data").fields().forEachRemaining(entry -> environment.put(entry.getKey(), entry.getValue().asText()));
        }
        for (JsonNode variable : container.path("env")) {
            environment.put(variable.path("name").asText(), variable.path("value").asText());
        }
        return environment;
    }

    /** The port number a probe's port (a number or a container port's name) resolves to. */
    private static int containerPort(JsonNode container, JsonNode port) {
        if (port.isInt()) {
            return port.asInt();
        }
        for (JsonNode candidate : container.path("ports")) {
            if (candidate.path("name").asText().equals(port.asText())) {
                return candidate.path("containerPort").asInt();
            }
        }
        throw new AssertionError("no container port named " + port.asText());
    }

    private static Set<String> texts(JsonNode array) {
        Set<String> values = new TreeSet<>();
        Iterator<JsonNode> elements = array.elements();
        elements.forEachRemaining(element -> values.add(element.asText()));
        return values;
    }
}
