package dev.newsclassifier.local;

import java.util.Arrays;
import java.util.Locale;

/** Which schema registry a local stack runs: the built-in one, or Apicurio Registry as a child process. */
public enum RegistryKind {

    /** {@link LocalSchemaRegistry}: in this JVM, schemas in a Kafka topic, needs nothing but the JDK. */
    BUILT_IN,
    /** {@link ApicurioRegistry}: a third-party registry, needs Java 21+ and its distribution. */
    APICURIO;

    /** The name on the command line: {@code built-in}, {@code apicurio}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** @throws IllegalArgumentException for a name that is none of {@link #cliName()} */
    public static RegistryKind fromCliName(String name) {
        return Arrays.stream(values()).filter(kind -> kind.cliName().equalsIgnoreCase(name.trim())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown registry '" + name + "'; use "
                        + String.join(" or ", Arrays.stream(values()).map(RegistryKind::cliName).toList())));
    }

    @Override
    public String toString() {
        return cliName();
    }
}
