package dev.newsclassifier.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JavaRuntimesTest {

    @TempDir
    Path dir;

    @Test
    void shouldTakeTheConfiguredHomeFirstWhenItIsNewEnough() throws IOException {
        Path configured = jdk("configured", "\"21.0.5\"");
        Path jvms = Files.createDirectories(dir.resolve("jvms"));
        jdk("jvms/temurin-25", "\"25.0.3\"");

        JavaRuntimes runtimes = new JavaRuntimes(Map.of(JavaRuntimes.JAVA21_ENV, configured.toString()),
                jdk("this", "\"17.0.15\""), jvms);

        assertThat(runtimes.find(21)).contains(configured.resolve("bin/java"));
    }

    @Test
    void shouldTakeTheNewestSystemJdkWhenNothingConfiguredIsNewEnough() throws IOException {
        Path jvms = Files.createDirectories(dir.resolve("jvms"));
        jdk("jvms/java-17-openjdk-amd64", "\"17.0.15\"");
        Path newest = jdk("jvms/temurin-25-jdk-amd64", "\"25.0.3\"");
        jdk("jvms/temurin-21-jdk-amd64", "\"21.0.9\"");
        Files.createSymbolicLink(jvms.resolve("default-java"), jvms.resolve("java-17-openjdk-amd64"));

        JavaRuntimes runtimes = new JavaRuntimes(Map.of("JAVA_HOME", jvms.resolve("java-17-openjdk-amd64").toString()),
                jdk("this", "\"17.0.15\""), jvms);

        assertThat(runtimes.find(21)).contains(newest.resolve("bin/java"));
        assertThat(runtimes.find(17)).contains(dir.resolve("this/bin/java"));
    }

    @Test
    void shouldFindNothingWhenNoHomeIsNewEnough() throws IOException {
        Path jvms = Files.createDirectories(dir.resolve("jvms"));
        jdk("jvms/java-17-openjdk-amd64", "\"17.0.15\"");
        Path withoutJava = Files.createDirectories(dir.resolve("jvms/broken-25"));
        Files.writeString(withoutJava.resolve("release"), "JAVA_VERSION=\"25\"\n");

        JavaRuntimes runtimes = new JavaRuntimes(Map.of(), jdk("this", "\"17.0.15\""), jvms);

        assertThat(runtimes.find(21)).isEmpty();
        assertThat(runtimes.searched()).contains(JavaRuntimes.JAVA21_ENV).contains(jvms.toString());
    }

    @Test
    void shouldReadFeatureVersionsInEveryNumberingScheme() throws IOException {
        assertThat(JavaRuntimes.featureVersion(jdk("a", "\"25\""))).contains(25);
        assertThat(JavaRuntimes.featureVersion(jdk("b", "\"21.0.5+11\""))).contains(21);
        assertThat(JavaRuntimes.featureVersion(jdk("c", "\"1.8.0_402\""))).contains(8);
        assertThat(JavaRuntimes.featureVersion(dir.resolve("no-such-home"))).isEmpty();
    }

    /** A fake JDK home: a {@code release} file and an executable {@code bin/java}. */
    private Path jdk(String name, String javaVersion) throws IOException {
        Path home = Files.createDirectories(dir.resolve(name));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=" + javaVersion + "\n");
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return home;
    }
}
