package dev.newsclassifier.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Finds a Java runtime of at least a given feature version for a child process, such as Apicurio Registry, that needs
 * a newer Java than the one this application runs on. Looked for, in order: the homes named by
 * {@value #JAVA21_ENV} and {@value #JAVA21_HOME_ENV}, this JVM, {@code JAVA_HOME}, and every JDK under
 * {@code /usr/lib/jvm} (the newest first). A home's version comes from its {@code release} file, so nothing is run to
 * find out.
 */
public final class JavaRuntimes {

    /** This project's setting for a Java 21+ home, e.g. in CI. */
    public static final String JAVA21_ENV = "NEWS_CLASSIFIER_JAVA21";
    /** The variable many machine images set for their Java 21. */
    public static final String JAVA21_HOME_ENV = "JAVA21_HOME";

    private static final Path SYSTEM_JVMS = Path.of("/usr/lib/jvm");

    private final Map<String, String> env;
    private final Path thisJavaHome;
    private final Path systemJvms;

    JavaRuntimes(Map<String, String> env, Path thisJavaHome, Path systemJvms) {
        this.env = env;
        this.thisJavaHome = thisJavaHome;
        this.systemJvms = systemJvms;
    }

    /** Looks in this machine's environment, this JVM and {@code /usr/lib/jvm}. */
    public static JavaRuntimes ofThisMachine() {
        return new JavaRuntimes(System.getenv(), Path.of(System.getProperty("java.home")), SYSTEM_JVMS);
    }

    /** The {@code bin/java} of the first runtime found whose feature version is at least {@code minimum}. */
    public Optional<Path> find(int minimum) {
        for (Path home : candidates()) {
            Path java = home.resolve("bin").resolve("java");
            if (Files.isExecutable(java) && featureVersion(home).orElse(0) >= minimum) {
                return Optional.of(java);
            }
        }
        return Optional.empty();
    }

    /** Where {@link #find} looks, in order, for a message that says so when nothing is found. */
    public String searched() {
        return JAVA21_ENV + ", " + JAVA21_HOME_ENV + ", " + thisJavaHome + ", JAVA_HOME, " + systemJvms + "/*";
    }

    private List<Path> candidates() {
        List<Path> homes = new ArrayList<>();
        for (String variable : List.of(JAVA21_ENV, JAVA21_HOME_ENV)) {
            String value = env.get(variable);
            if (value != null && !value.isBlank()) {
                homes.add(Path.of(value));
            }
        }
        homes.add(thisJavaHome);
        String javaHome = env.get("JAVA_HOME");
        if (javaHome != null && !javaHome.isBlank()) {
            homes.add(Path.of(javaHome));
        }
        if (Files.isDirectory(systemJvms)) {
            try (Stream<Path> dirs = Files.list(systemJvms)) {
                // Debian links aliases (java-1.17.0-openjdk-amd64) to the real dirs; each home counts once.
                dirs.filter(dir -> !Files.isSymbolicLink(dir))
                        .sorted(Comparator.comparing((Path dir) -> featureVersion(dir).orElse(0)).reversed())
                        .forEach(homes::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + systemJvms, e);
            }
        }
        return homes;
    }

    /** The feature version (21 for "21.0.5", 8 for "1.8.0_402") in a home's {@code release} file. */
    static Optional<Integer> featureVersion(Path home) {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release)) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        try (var reader = Files.newBufferedReader(release)) {
            properties.load(reader);
        } catch (IOException e) {
            return Optional.empty();
        }
        String version = properties.getProperty("JAVA_VERSION", "").replace("\"", "");
        String[] parts = version.split("[._+-]");
        try {
            int first = Integer.parseInt(parts[0]);
            return Optional.of(first == 1 && parts.length > 1 ? Integer.parseInt(parts[1]) : first);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
