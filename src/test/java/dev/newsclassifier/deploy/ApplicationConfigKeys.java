package dev.newsclassifier.deploy;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import dev.newsclassifier.service.NewsConfig;

/**
 * The configuration keys the application reads, and the environment variable each maps to by SmallRye's rule
 * ({@code news.batch.max-size -> NEWS_BATCH_MAX_SIZE}). A variable naming no such key is silently ignored at run
 * time, which is why the deployment files are checked against this list.
 */
final class ApplicationConfigKeys {

    static final Path APPLICATION_PROPERTIES = Path.of("src", "main", "resources", "application.properties");

    /**
     * Quarkus keys the deployment sets that application.properties leaves at their defaults. They belong to
     * Quarkus's own config mappings (quarkus.io guides: lifecycle, kafka-streams), which resolve environment
     * variables by themselves. Pass-through {@code kafka-streams.*} keys are not accepted here: Quarkus only sees
     * them from the environment when application.properties names them.
     */
    private static final Set<String> DOCUMENTED_QUARKUS_KEYS = Set.of(
            "quarkus.shutdown.timeout",
            "quarkus.kafka-streams.security.protocol",
            "quarkus.kafka-streams.sasl.mechanism",
            "quarkus.kafka-streams.sasl.jaas-config");

    /** Read by the JVM, the OS or native libraries rather than by the application's configuration. */
    private static final Set<String> NON_CONFIG_VARIABLES = Set.of("DJL_CACHE_DIR", "LANG", "JAVA_HOME", "PATH");

    private ApplicationConfigKeys() {
    }

    /** The variables in {@code names} that set nothing the application reads. */
    static Set<String> unknownVariables(Collection<String> names) {
        Set<String> known = knownVariables();
        return names.stream().filter(name -> !known.contains(name)).collect(Collectors.toCollection(TreeSet::new));
    }

    static Set<String> knownVariables() {
        Set<String> keys = new TreeSet<>(DOCUMENTED_QUARKUS_KEYS);
        keys.addAll(propertiesFileKeys());
        addNewsConfigKeys(NewsConfig.class, "news", keys);
        Set<String> variables = keys.stream().map(ApplicationConfigKeys::toVariableName)
                .collect(Collectors.toCollection(TreeSet::new));
        variables.addAll(NON_CONFIG_VARIABLES);
        return variables;
    }

    static String toVariableName(String key) {
        return key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    private static Set<String> propertiesFileKeys() {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(APPLICATION_PROPERTIES)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // "%test.news.batch.max-delay" configures news.batch.max-delay in one profile.
        return properties.stringPropertyNames().stream().map(key -> key.replaceFirst("^%[^.]+\\.", ""))
                .collect(Collectors.toSet());
    }

    /** Walks the {@code @ConfigMapping} interface: nested interfaces are groups, other methods are keys. */
    private static void addNewsConfigKeys(Class<?> group, String prefix, Set<String> keys) {
        for (Method method : group.getDeclaredMethods()) {
            String key = prefix + "." + method.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
            Class<?> type = method.getReturnType();
            if (type.isInterface() && type.getEnclosingClass() == NewsConfig.class) {
                addNewsConfigKeys(type, key, keys);
            } else {
                keys.add(key);
            }
        }
    }
}
