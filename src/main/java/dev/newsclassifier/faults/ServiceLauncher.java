package dev.newsclassifier.faults;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How to start the packaged service: the {@code java} of this JVM, the application jar and the
 * working directory the service resolves relative paths from.
 *
 * @param jvmOptions options before {@code -jar}, e.g. a heap limit
 */
public record ServiceLauncher(Path java, Path jar, Path workingDir, List<String> jvmOptions) {

    public ServiceLauncher {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("no application jar at " + jar + "; build it with ./mvnw package");
        }
        jvmOptions = List.copyOf(jvmOptions);
    }

    /** The JIT setting the CPU image runs the service with (docker/Dockerfile.jvm): C1 only. */
    public static final List<String> CPU_IMAGE_JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1");

    /**
     * The jar this JVM was started from ({@code java -jar target/quarkus-app/quarkus-run.jar}), run
     * by this JVM's {@code java}.
     */
    public static ServiceLauncher ofThisApplication(List<String> jvmOptions) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String classPath = System.getProperty("java.class.path", "");
        Path jar = Path.of(classPath.split(File.pathSeparator)[0]).toAbsolutePath();
        return new ServiceLauncher(java, jar, Path.of("").toAbsolutePath(), jvmOptions);
    }
}
