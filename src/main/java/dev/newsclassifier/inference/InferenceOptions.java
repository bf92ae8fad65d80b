package dev.newsclassifier.inference;

/**
 * How the ONNX Runtime session runs.
 *
 * @param device where inference runs
 * @param cudaDeviceId which GPU, when {@code device} is CUDA
 * @param fallbackToCpu start on the CPU instead of failing when CUDA was asked for and is missing
 * @param intraOpThreads threads one inference call may use; 0 lets ONNX Runtime decide
 * @param chunkSize most texts per session run; a batch is cut into chunks of texts of similar
 *     length, so each chunk is padded only to its own longest text
 * @param concurrentChunks how many chunks of a batch run at the same time, each on its own
 *     thread; 0 fits them to the cores: one per {@code intraOpThreads} of the available
 *     processors, or one when {@code intraOpThreads} is 0 (ONNX Runtime then takes every core) or
 *     the device is a GPU (its runs would only queue behind one another)
 * @param allowSpinning let ONNX Runtime's intra-op threads spin-wait between operators: lower
 *     latency on dedicated cores, but on shared cores the spinning takes CPU from the Kafka threads
 */
public record InferenceOptions(Device device, int cudaDeviceId, boolean fallbackToCpu, int intraOpThreads, int chunkSize,
        int concurrentChunks, boolean allowSpinning) {

    public enum Device { CPU, CUDA }

    /*
     * The service's defaults, shared by its configuration and the classify command (strings, as
     * annotations take them). application.properties repeats them with the measurements behind them.
     */
    public static final String DEFAULT_INTRA_OP_THREADS = "1";
    public static final String DEFAULT_CHUNK_SIZE = "2";
    public static final String DEFAULT_CONCURRENT_CHUNKS = "0";
    public static final String DEFAULT_ALLOW_SPINNING = "true";

    public InferenceOptions {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunk size must be at least 1, got " + chunkSize);
        }
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intra-op threads must be 0 (automatic) or more, got " + intraOpThreads);
        }
        if (concurrentChunks < 0) {
            throw new IllegalArgumentException("concurrent chunks must be 0 (automatic) or more, got " + concurrentChunks);
        }
    }

    public static InferenceOptions cpu(int intraOpThreads) {
        return cpu(intraOpThreads, 32, 1);
    }

    public static InferenceOptions cpu(int intraOpThreads, int chunkSize, int concurrentChunks) {
        return new InferenceOptions(Device.CPU, 0, false, intraOpThreads, chunkSize, concurrentChunks,
                Boolean.parseBoolean(DEFAULT_ALLOW_SPINNING));
    }

    /**
     * {@link #concurrentChunks()} resolved for the device inference actually runs on (a CUDA request
     * may have fallen back to the CPU) on a machine with {@code processors} cores.
     */
    public int concurrentChunks(Device runsOn, int processors) {
        if (concurrentChunks > 0) {
            return concurrentChunks;
        }
        return runsOn == Device.CUDA || intraOpThreads == 0 ? 1 : Math.max(1, processors / intraOpThreads);
    }
}
