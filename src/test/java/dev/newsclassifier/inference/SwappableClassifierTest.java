package dev.newsclassifier.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class SwappableClassifierTest {

    /** Labels every text 0 and remembers whether it was closed. */
    private static final class Model implements Classifier, AutoCloseable {
        final ModelConfig config;
        final AtomicBoolean closed = new AtomicBoolean();

        Model(String version) {
            config = new ModelConfig("stub", version, List.of("a", "b"), 16, "agnews-text-v1");
        }

        @Override
        public List<Classification> classify(List<String> texts) {
            assertThat(closed).as("a closed model was asked to classify").isFalse();
            return texts.stream().map(text -> new Classification(0, new float[] {0.9f, 0.1f}, false)).toList();
        }

        @Override
        public ModelConfig model() {
            return config;
        }

        @Override
        public void close() {
            closed.set(true);
        }
    }

    @Test
    void shouldServeEveryBatchAfterASwapWithTheNewModelAndCloseTheOldOne() {
        Model first = new Model("1");
        Model second = new Model("2");
        SwappableClassifier serving = new SwappableClassifier(first);

        ModelConfig replaced = serving.swap(second);

        assertThat(replaced.version()).isEqualTo("1");
        assertThat(first.closed).isTrue();
        assertThat(serving.model().version()).isEqualTo("2");
        String version = serving.withOneModel(model -> model.model().version());
        assertThat(version).isEqualTo("2");
        assertThat(serving.classify(List.of("x"))).hasSize(1);
    }

    @Test
    void shouldWaitForTheBatchInProgressBeforeSwappingAndClosingItsModel() throws Exception {
        Model first = new Model("1");
        Model second = new Model("2");
        SwappableClassifier serving = new SwappableClassifier(first);
        CountDownLatch batchStarted = new CountDownLatch(1);
        CountDownLatch batchMayEnd = new CountDownLatch(1);

        CompletableFuture<String> batch = CompletableFuture.supplyAsync(() -> serving.withOneModel(model -> {
            batchStarted.countDown();
            await(batchMayEnd);
            model.classify(List.of("retried", "and split"));
            return model.model().version();
        }));
        assertThat(batchStarted.await(5, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<ModelConfig> swap = CompletableFuture.supplyAsync(() -> serving.swap(second));

        Thread.sleep(200);
        assertThat(swap).as("the swap waits for the batch").isNotDone();
        assertThat(first.closed).isFalse();
        batchMayEnd.countDown();

        assertThat(batch.get(5, TimeUnit.SECONDS)).isEqualTo("1");
        assertThat(swap.get(5, TimeUnit.SECONDS).version()).isEqualTo("1");
        assertThat(first.closed).isTrue();
        assertThat(serving.model().version()).isEqualTo("2");
    }

    @Test
    void shouldCloseTheServingModelWhenClosed() {
        Model only = new Model("1");
        new SwappableClassifier(only).close();

        assertThat(only.closed).isTrue();
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(5, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
