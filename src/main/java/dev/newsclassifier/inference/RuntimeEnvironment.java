package dev.newsclassifier.inference;

import ai.onnxruntime.OrtEnvironment;

/**
 * The process-wide ONNX Runtime environment, created on a thread with a large stack.
 *
 * <p>ONNX Runtime 1.29 reads the process command line while it creates its environment and recurses
 * once per character of it (measured on Linux: about 250 bytes of stack per character, inside
 * {@code OrtEnvironment.createHandle}). On a default 1 MB thread stack a command line over about
 * 4 KB, such as a long {@code -cp}, overflows the stack; the JVM then dies with SIGSEGV and no error
 * report. The environment is a singleton, so creating it once here, where the stack holds a command
 * line of some 250,000 characters, keeps every later {@link OrtEnvironment#getEnvironment()} safe.
 */
final class RuntimeEnvironment {

    private static final long CREATION_STACK_BYTES = 64L << 20;

    private static OrtEnvironment environment;

    private RuntimeEnvironment() {
    }

    static synchronized OrtEnvironment get() {
        if (environment == null) {
            environment = createOnLargeStack();
        }
        return environment;
    }

    private static OrtEnvironment createOnLargeStack() {
        OrtEnvironment[] created = new OrtEnvironment[1];
        Throwable[] failure = new Throwable[1];
        Thread creator = new Thread(null, () -> {
            try {
                created[0] = OrtEnvironment.getEnvironment();
            } catch (Throwable e) {
                failure[0] = e;
            }
        }, "onnxruntime-environment", CREATION_STACK_BYTES);
        creator.start();
        try {
            creator.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the ONNX Runtime environment", e);
        }
        if (failure[0] instanceof RuntimeException e) {
            throw e;
        }
        if (failure[0] instanceof Error e) {
            throw e;
        }
        if (failure[0] != null) {
            throw new IllegalStateException("could not create the ONNX Runtime environment", failure[0]);
        }
        return created[0];
    }
}
