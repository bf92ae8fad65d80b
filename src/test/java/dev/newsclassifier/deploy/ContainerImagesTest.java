package dev.newsclassifier.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Lints docker/Dockerfile.jvm, docker/Dockerfile.cuda and docker/compose.yaml without a Docker engine (none runs
 * here, and hadolint is not packaged for Debian): the rules a reviewer would check by eye, as assertions.
 */
class ContainerImagesTest {

    static final Dockerfile JVM = Dockerfile.parse(DeploymentFiles.DOCKER.resolve("Dockerfile.jvm"));
    static final Dockerfile CUDA = Dockerfile.parse(DeploymentFiles.DOCKER.resolve("Dockerfile.cuda"));
    static final String IMAGE = "ghcr.io/newsclassifier/news-classifier:1.0.0";
    static final String CUDA_IMAGE = IMAGE + "-cuda";
    /** The image user's UID, repeated by the Deployment's runAsUser. */
    static final String APP_UID = "10001";
    static final String MODEL_PATH = "/deployments/model";

    private static Dockerfile dockerfile(String name) {
        return name.equals("Dockerfile.jvm") ? JVM : CUDA;
    }

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile.jvm", "Dockerfile.cuda"})
    void shouldStartWithCommentGivingBuildAndRunCommands(String name) {
        Dockerfile dockerfile = dockerfile(name);
        assertThat(DeploymentFiles.read(dockerfile.path())).startsWith("#");
        String header = String.join("\n", dockerfile.header());
        assertThat(header).contains("docker build -f docker/" + name + " -t ").contains("docker run ");
        assertThat(dockerfile.builtImage()).contains(name.equals("Dockerfile.jvm") ? IMAGE : CUDA_IMAGE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile.jvm", "Dockerfile.cuda"})
    void shouldPinEveryBaseImageByTag(String name) {
        List<String> stageNames = new ArrayList<>();
        for (Dockerfile.Stage stage : dockerfile(name).stages()) {
            if (!stageNames.contains(stage.baseImage())) {
                assertThat(stage.baseImage()).as("base image").matches("[^:@\\s]+(:[\\w.-]+|@sha256:[0-9a-f]{64})")
                        .doesNotEndWith(":latest");
            }
            stage.name().ifPresent(stageNames::add);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile.jvm", "Dockerfile.cuda"})
    void shouldRunAsFixedNonRootUserBeforeEntrypoint(String name) {
        Dockerfile.Stage runtime = dockerfile(name).finalStage();
        List<Dockerfile.Instruction> users = runtime.all("USER");
        assertThat(users).hasSize(1);
        assertThat(users.get(0).arguments()).isEqualTo(APP_UID + ":" + APP_UID);
        assertThat(runtime.indexOf("USER")).isLessThan(runtime.indexOf("ENTRYPOINT")).isLessThan(runtime.indexOf("CMD"));
        assertThat(runtime.all("RUN")).anySatisfy(run -> assertThat(run.arguments()).contains("useradd --uid " + APP_UID));
        assertThat(runtime.all("ENTRYPOINT").get(0).arguments()).contains("/deployments/quarkus-app/quarkus-run.jar");
        assertThat(runtime.all("CMD").get(0).arguments()).isEqualTo("[\"serve\"]");
    }

    /** The CPU image bakes in the int8 default; the GPU image its fp32 source (int8 is a CPU optimization). */
    @ParameterizedTest
    @CsvSource({"Dockerfile.jvm, onnx/models/default", "Dockerfile.cuda, onnx/models/fp32"})
    void shouldBakeInItsModelAndPointTheServiceAtIt(String name, String modelDir) {
        Dockerfile.Stage runtime = dockerfile(name).finalStage();
        assertThat(runtime.argumentDefaults()).containsEntry("MODEL_DIR", modelDir);
        assertThat(Path.of(modelDir).resolve("model.onnx")).isRegularFile();
        assertThat(runtime.all("COPY")).extracting(Dockerfile.Instruction::arguments)
                .contains("${MODEL_DIR}/ " + MODEL_PATH + "/")
                .contains("--from=build /src/target/quarkus-app/ /deployments/quarkus-app/");
        assertThat(runtime.environment()).containsEntry("NEWS_MODEL_DIR", MODEL_PATH)
                .containsEntry("NEWS_MODEL_ROOT", "/deployments/models");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile.jvm", "Dockerfile.cuda"})
    void shouldExposeHttpPortAndSetOnlyKnownVariables(String name) {
        Dockerfile.Stage runtime = dockerfile(name).finalStage();
        assertThat(runtime.all("EXPOSE")).extracting(Dockerfile.Instruction::arguments)
                .containsExactly(String.valueOf(DeploymentFiles.HTTP_PORT));
        assertThat(ApplicationConfigKeys.unknownVariables(runtime.environment().keySet())).isEmpty();
        assertThat(runtime.environment()).containsEntry("KAFKA_STREAMS_STATE_DIR", "/var/lib/news-classifier/state")
                .containsEntry("DJL_CACHE_DIR", "/var/cache/news-classifier/djl");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile.jvm", "Dockerfile.cuda"})
    void shouldCopyOnlySourcesThatExistIntoTheBuildStage(String name) {
        Dockerfile.Stage build = dockerfile(name).stages().get(0);
        assertThat(build.name()).contains("build");
        List<Dockerfile.Instruction> copies = build.all("COPY");
        assertThat(copies).isNotEmpty();
        for (Dockerfile.Instruction copy : copies) {
            String[] paths = copy.arguments().split("\\s+");
            for (int i = 0; i < paths.length - 1; i++) {
                assertThat(Path.of(paths[i])).as("COPY source in %s", name).exists();
            }
        }
    }

    @Test
    void shouldBuildCudaImageOnCuda12CudnnRuntimeWithGpuProfile() {
        assertThat(CUDA.finalStage().baseImage()).matches("nvidia/cuda:12\\.\\d+(\\.\\d+)?-cudnn-runtime-ubuntu22\\.04");
        assertThat(CUDA.stages().get(0).all("RUN")).extracting(Dockerfile.Instruction::arguments)
                .allSatisfy(run -> assertThat(run).contains("-Ponnxruntime_gpu"));
        assertThat(CUDA.finalStage().environment()).containsEntry("NEWS_INFERENCE_DEVICE", "cuda")
                .containsEntry("JAVA_HOME", "/opt/java/openjdk");
        assertThat(JVM.finalStage().baseImage()).startsWith("eclipse-temurin:17-jre");
        assertThat(JVM.stages().get(0).all("RUN")).extracting(Dockerfile.Instruction::arguments)
                .noneSatisfy(run -> assertThat(run).contains("onnxruntime_gpu"));
    }

    @Test
    void shouldDescribeLocalStackWithReplicatedClassifier() {
        JsonNode compose = DeploymentFiles.yaml(DeploymentFiles.COMPOSE);
        assertThat(DeploymentFiles.read(DeploymentFiles.COMPOSE)).startsWith("#").contains("docker compose -f docker/compose.yaml up");
        JsonNode services = compose.path("services");
        assertThat(iterable(services.fieldNames())).containsExactlyInAnyOrder("kafka", "registry", "topics", "news-classifier");
        assertThat(services.at("/kafka/image").asText()).isEqualTo("apache/kafka:" + DeploymentFiles.deployedBrokerVersion());
        assertThat(services.at("/kafka/environment/KAFKA_PROCESS_ROLES").asText()).isEqualTo("broker,controller");
        assertThat(services.at("/registry/image").asText()).startsWith("confluentinc/cp-schema-registry:");

        JsonNode classifier = services.path("news-classifier");
        assertThat(classifier.path("image").asText()).isEqualTo(IMAGE);
        assertThat(classifier.at("/build/dockerfile").asText()).isEqualTo("docker/Dockerfile.jvm");
        assertThat(classifier.at("/deploy/replicas").asText()).isEqualTo("${REPLICAS:-2}");
        assertThat(classifier.at("/depends_on/topics/condition").asText()).isEqualTo("service_completed_successfully");
        assertThat(classifier.at("/depends_on/registry/condition").asText()).isEqualTo("service_healthy");
    }

    @Test
    void shouldConfigureComposeClassifierWithKnownKeysAndTopicsItCreates() {
        JsonNode classifier = DeploymentFiles.yaml(DeploymentFiles.COMPOSE).at("/services/news-classifier");
        JsonNode environment = classifier.path("environment");
        assertThat(ApplicationConfigKeys.unknownVariables(iterable(environment.fieldNames()))).isEmpty();
        assertThat(environment.path("NEWS_REGISTRY_URL").asText()).isEqualTo("http://registry:8081");
        assertThat(environment.path("KAFKA_BOOTSTRAP_SERVERS").asText()).isEqualTo("kafka:9092");
        assertThat(DeploymentFiles.duration(classifier.path("stop_grace_period").asText())
                .minus(DeploymentFiles.duration(environment.path("QUARKUS_SHUTDOWN_TIMEOUT").asText())))
                .isGreaterThanOrEqualTo(DeploymentFiles.KAFKA_STREAMS_CLOSE_ALLOWANCE);

        String createTopics = DeploymentFiles.yaml(DeploymentFiles.COMPOSE).at("/services/topics/command/0").asText();
        Matcher created = Pattern.compile("create (\\S+) (\\d+)").matcher(createTopics);
        Map<String, Integer> partitions = new HashMap<>();
        while (created.find()) {
            partitions.put(created.group(1), Integer.parseInt(created.group(2)));
        }
        assertThat(partitions).containsOnlyKeys(environment.path("NEWS_TOPICS_RAW").asText(),
                environment.path("NEWS_TOPICS_LABELED").asText(), environment.path("NEWS_TOPICS_DEAD_LETTER").asText());
        assertThat(partitions.get(environment.path("NEWS_TOPICS_RAW").asText()))
                .isEqualTo(DeploymentFiles.documentedRawTopicPartitions());
    }

    @Test
    void shouldKeepBuildOutputOutOfTheBuildContext() {
        for (String name : Set.of("Dockerfile.jvm", "Dockerfile.cuda")) {
            Path ignore = DeploymentFiles.DOCKER.resolve(name + ".dockerignore");
            assertThat(ignore).exists();
            assertThat(DeploymentFiles.read(ignore).lines()).contains("target", ".git", "**/node_modules");
        }
    }

    private static List<String> iterable(Iterator<String> names) {
        List<String> list = new ArrayList<>();
        names.forEachRemaining(list::add);
        return list;
    }
}
