package dev.newsclassifier.service;

import dev.newsclassifier.inference.InferenceOptions;
import dev.newsclassifier.topology.BufferStoreKind;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** The service's own settings ({@code news.*}); each has a comment in {@code application.properties}. */
@ConfigMapping(prefix = "news")
public interface NewsConfig {

    Topics topics();

    Batch batch();

    WarmUp warmUp();

    Review review();

    Validation validation();

    Model model();

    Inference inference();

    Registry registry();

    Faults faults();

    Instance instance();

    Admin admin();

    Shadow shadow();

    Feedback feedback();

    Explain explain();

    /** The words that decided a label, in the labeled record ({@code top_words}). */
    interface Explain {
        TopWords topWords();

        interface TopWords {
            /** {@code off}, {@code needs-review} (the articles review routing flags) or {@code all}. */
            @WithDefault("off")
            String mode();

            @WithDefault("5")
            int count();

            @WithDefault("64")
            int maxWords();
        }
    }

    /** The feedback join: live accuracy from true labels that arrive late. */
    interface Feedback {
        /** The live metrics cover the last this many judged articles, per instance. */
        @WithDefault("5000")
        int windowSize();

        /** How long a prediction waits for its true label, and a true label for its prediction. */
        @WithDefault("7d")
        Duration retention();
    }

    /** A second model that classifies the same batches after the primary, its labels going to the shadow topic. */
    interface Shadow {
        /** Its model folder, loaded at start-up; unset, none runs until one is started at {@code /admin/shadow}. */
        Optional<String> dir();
    }

    /** The admin endpoint, {@code /admin/model}. */
    interface Admin {
        /** The bearer token that {@code POST /admin/model} demands; unset, models cannot be swapped. Never logged. */
        Optional<String> token();
    }

    interface Instance {
        /**
         * This instance's stable name in the consumer group (Kafka's {@code group.instance.id}, static membership):
         * an instance that comes back under the same name within the session timeout gets its partitions back
         * without a rebalance. Unique per instance; unset, the instance is a dynamic member.
         */
        Optional<String> id();
    }

    interface Topics {
        @WithDefault("news.raw")
        String raw();

        @WithDefault("news.labeled")
        String labeled();

        @WithDefault("news.dead-letter")
        String deadLetter();

        /** Where copies of the articles that need review go; unset, they are only flagged. */
        Optional<String> review();

        /** Where a shadow model's labels go; unset, no shadow model can run. */
        Optional<String> shadow();

        /** Where true labels arrive ({@code ArticleFeedback}); unset, the feedback join is off. */
        Optional<String> feedback();
    }

    /** When a labeled article needs a person: either threshold, or both; neither set turns review routing off. */
    interface Review {
        /** Top probability below this. */
        Optional<Double> minConfidence();

        /** Top probability less the second below this. */
        Optional<Double> minMargin();
    }

    interface WarmUp {
        /** Sample articles the service's own topology classifies before it joins the consumer group; 0 is off. */
        @WithDefault("64")
        int articles();
    }

    interface Batch {
        @WithDefault("32")
        int maxSize();

        @WithDefault("100ms")
        Duration maxDelay();

        @WithDefault("persistent")
        BufferStoreKind store();
    }

    interface Validation {
        @WithDefault("10000")
        int maxTextChars();

        @WithDefault("2097152")
        int maxRecordBytes();

        @WithDefault("3145728")
        int maxDeadLetterPayloadBytes();
    }

    interface Model {
        @WithDefault("onnx/models/default")
        String dir();

        /** The folder whose model folders a swap may load (and nothing outside it); unset, the parent of {@link #dir}. */
        Optional<String> root();
    }

    interface Inference {
        @WithDefault("cpu")
        InferenceOptions.Device device();

        @WithDefault("0")
        int cudaDeviceId();

        @WithDefault("false")
        boolean fallbackToCpu();

        @WithDefault(InferenceOptions.DEFAULT_INTRA_OP_THREADS)
        int intraOpThreads();

        @WithDefault(InferenceOptions.DEFAULT_CHUNK_SIZE)
        int chunkSize();

        @WithDefault(InferenceOptions.DEFAULT_CONCURRENT_CHUNKS)
        int concurrentChunks();

        @WithDefault(InferenceOptions.DEFAULT_ALLOW_SPINNING)
        boolean allowSpinning();

        /** The benchmark's pipeline ceiling: no model runs, every article gets the first label (ConstantClassifier). */
        @WithDefault("false")
        boolean constantModel();

        /**
         * Inference failures in a row (no article classified in between) after which the Kafka Streams client
         * stops, for the orchestrator to restart the instance, instead of the stream thread being replaced again.
         */
        @WithDefault("5")
        int failuresBeforeShutdown();
    }

    /** Fault injection for fault tests only; every setting defaults to off. */
    interface Faults {
        /** Each classification batch takes at least this long; 0 is off. */
        @WithDefault("0s")
        Duration inferenceDelay();

        /** Any batch holding a text that contains this fails in inference, as a whole; unset is off. */
        Optional<String> poisonMarker();
    }

    interface Registry {
        /** Comma-separated base URLs of a Confluent-compatible Schema Registry. */
        @WithDefault("http://localhost:8081")
        String url();

        /** {@code user:password} for HTTP basic auth; never logged. */
        Optional<String> basicAuthUserInfo();

        @WithDefault("true")
        boolean autoRegister();

        /**
         * {@code confluent-wire} for the built-in Confluent wire-format serde, or the class name of
         * a Kafka {@code Serde} (e.g. Confluent's {@code SpecificAvroSerde}) configured with the
         * {@code kafka-streams.*} properties.
         */
        @WithDefault("confluent-wire")
        String serde();

        /** Certificates to trust for https URLs, where the JDK's default trust store does not hold the registry's. */
        Store truststore();

        /** The client's key and certificate, for registries that demand mutual TLS; the key has the store's password. */
        Store keystore();
    }

    /** A key store file; set {@code location} to use it. */
    interface Store {
        Optional<String> location();

        /** Never logged. */
        Optional<String> password();

        @WithDefault("PKCS12")
        String type();
    }
}
