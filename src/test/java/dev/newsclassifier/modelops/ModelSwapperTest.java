package dev.newsclassifier.modelops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.newsclassifier.faults.ModelFolders;
import dev.newsclassifier.inference.InferenceOptions;
import dev.newsclassifier.inference.ModelSlot;
import dev.newsclassifier.inference.OnnxClassifier;
import dev.newsclassifier.inference.SwappableClassifier;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Swaps with real model folders: what is swapped in, what is refused, and what the metrics say. */
class ModelSwapperTest {

    /** The smallest shipped model, copied under new versions so that loading stays quick. */
    private static final Path SOURCE = Path.of("onnx", "models", "fast");
    private static final InferenceOptions OPTIONS = InferenceOptions.cpu(1, 2, 0);

    @TempDir
    Path root;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ModelMetrics metrics = new ModelMetrics();
    private final ModelSlot shadow = ModelSlot.empty();
    private SwappableClassifier serving;
    private ModelSwapper swapper;

    @BeforeEach
    void start() {
        Path startUp = ModelFolders.copyAsVersion(SOURCE, root.resolve("start"), "1.0.0");
        serving = new SwappableClassifier(OnnxClassifier.load(startUp, OPTIONS));
        metrics.registry = meters;
        metrics.register(OPTIONS.device(), serving);
        swapper = new ModelSwapper(root, startUp, OPTIONS, serving, shadow, true, metrics);
    }

    @AfterEach
    void close() {
        serving.close();
        shadow.close();
    }

    private double swaps(String outcome) {
        return meters.get("news.model.swaps").tag("outcome", outcome).counter().count();
    }

    private String infoVersion() {
        return meters.get("news.model.info").gauge().getId().getTag("version");
    }

    @Test
    void shouldSwapToAModelFolderUnderTheRootAndShowItInTheMetrics() {
        ModelFolders.copyAsVersion(SOURCE, root.resolve("next"), "2.0.0");

        ModelSwapper.Result result = swapper.swap("next");

        assertThat(result.outcome()).isEqualTo(ModelSwapper.Outcome.SWAPPED);
        assertThat(result.from().version()).isEqualTo("1.0.0");
        assertThat(result.to().version()).isEqualTo("2.0.0");
        assertThat(serving.model().version()).isEqualTo("2.0.0");
        assertThat(serving.classify(List.of("Stocks fell"))).hasSize(1);
        assertThat(swapper.servingDir()).isEqualTo(root.resolve("next").toAbsolutePath().normalize());
        assertThat(infoVersion()).isEqualTo("2.0.0");
        assertThat(meters.find("news.model.info").gauges()).hasSize(1);
        assertThat(swaps("swapped")).isEqualTo(1);
        assertThat(swaps("refused")).isZero();
    }

    @Test
    void shouldRefuseAFolderOutsideTheRootWithoutReadingIt(@TempDir Path elsewhere) {
        ModelFolders.copyAsVersion(SOURCE, elsewhere.resolve("outside"), "9.9.9");

        ModelSwapper.Result byDots = swapper.swap("../" + elsewhere.getFileName() + "/outside");
        ModelSwapper.Result absolute = swapper.swap(elsewhere.resolve("outside").toString());

        assertThat(List.of(byDots.outcome(), absolute.outcome())).containsOnly(ModelSwapper.Outcome.OUTSIDE_ROOT);
        assertThat(absolute.message()).contains("outside the models root");
        assertThat(serving.model().version()).isEqualTo("1.0.0");
        assertThat(swaps("refused")).isEqualTo(2);
    }

    @Test
    void shouldRefuseALinkThatLeadsOutOfTheRoot(@TempDir Path elsewhere) throws IOException {
        Path outside = ModelFolders.copyAsVersion(SOURCE, elsewhere.resolve("outside"), "9.9.9");
        Files.createSymbolicLink(root.resolve("link"), outside);

        ModelSwapper.Result result = swapper.swap("link");

        assertThat(result.outcome()).isEqualTo(ModelSwapper.Outcome.OUTSIDE_ROOT);
        assertThat(serving.model().version()).isEqualTo("1.0.0");
    }

    @Test
    void shouldRefuseABrokenModelAndKeepServingTheOldOne() {
        ModelFolders.corrupt(SOURCE, root.resolve("broken"));

        ModelSwapper.Result corrupt = swapper.swap("broken");
        ModelSwapper.Result missing = swapper.swap("no-such-model");

        assertThat(corrupt.outcome()).isEqualTo(ModelSwapper.Outcome.FAILED_CHECKS);
        assertThat(corrupt.message()).contains("not a loadable ONNX model").contains("broken");
        assertThat(missing.outcome()).isEqualTo(ModelSwapper.Outcome.FAILED_CHECKS);
        assertThat(missing.message()).contains("model folder not found");
        assertThat(serving.model().version()).isEqualTo("1.0.0");
        assertThat(serving.classify(List.of("Stocks fell"))).hasSize(1);
        assertThat(infoVersion()).isEqualTo("1.0.0");
        assertThat(swaps("refused")).isEqualTo(2);
        assertThat(swaps("swapped")).isZero();
    }

    @Test
    void shouldStartAndStopAShadowModelBesideTheServingOne() {
        ModelFolders.copyAsVersion(SOURCE, root.resolve("candidate"), "2.0.0-rc1");

        ModelSwapper.Result started = swapper.startShadow("candidate");

        assertThat(started.outcome()).isEqualTo(ModelSwapper.Outcome.SHADOW_STARTED);
        assertThat(shadow.model()).hasValueSatisfying(model -> assertThat(model.version()).isEqualTo("2.0.0-rc1"));
        assertThat(serving.model().version()).isEqualTo("1.0.0");
        assertThat(meters.get("news.shadow.model.info").gauge().getId().getTag("version")).isEqualTo("2.0.0-rc1");

        assertThat(swapper.stopShadow()).hasValueSatisfying(model -> assertThat(model.version()).isEqualTo("2.0.0-rc1"));
        assertThat(shadow.model()).isEmpty();
        assertThat(meters.find("news.shadow.model.info").gauges()).isEmpty();
        assertThat(swapper.stopShadow()).isEmpty();
    }

    @Test
    void shouldRefuseAShadowWithoutAShadowTopicOrThatFailsItsChecks() {
        ModelFolders.copyAsVersion(SOURCE, root.resolve("candidate"), "2.0.0-rc1");
        ModelFolders.corrupt(SOURCE, root.resolve("broken"));
        ModelSwapper withoutTopic = new ModelSwapper(root, root.resolve("start"), OPTIONS, serving, shadow, false,
                metrics);

        assertThat(withoutTopic.startShadow("candidate").outcome()).isEqualTo(ModelSwapper.Outcome.NO_SHADOW_TOPIC);
        assertThat(swapper.startShadow("broken").outcome()).isEqualTo(ModelSwapper.Outcome.FAILED_CHECKS);
        assertThat(swapper.startShadow("../elsewhere").outcome()).isEqualTo(ModelSwapper.Outcome.OUTSIDE_ROOT);
        assertThat(shadow.model()).isEmpty();
        assertThat(swaps("refused")).isEqualTo(3);
    }
}
