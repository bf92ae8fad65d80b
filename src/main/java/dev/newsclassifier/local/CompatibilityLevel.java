package dev.newsclassifier.local;

import java.util.ArrayList;
import java.util.List;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/** Confluent's compatibility levels, checked with Avro's own reader/writer resolution rules. */
enum CompatibilityLevel {
    NONE(false, false, false),
    BACKWARD(true, false, false),
    BACKWARD_TRANSITIVE(true, false, true),
    FORWARD(false, true, false),
    FORWARD_TRANSITIVE(false, true, true),
    FULL(true, true, false),
    FULL_TRANSITIVE(true, true, true);

    private final boolean newReadsOld;
    private final boolean oldReadsNew;
    private final boolean transitive;

    CompatibilityLevel(boolean newReadsOld, boolean oldReadsNew, boolean transitive) {
        this.newReadsOld = newReadsOld;
        this.oldReadsNew = oldReadsNew;
        this.transitive = transitive;
    }

    static CompatibilityLevel parse(String value) {
        if (value != null) {
            for (CompatibilityLevel level : values()) {
                if (level.name().equalsIgnoreCase(value.trim())) {
                    return level;
                }
            }
        }
        throw new RegistryError(422, RegistryError.INVALID_COMPATIBILITY_LEVEL,
                "Invalid compatibility level. Valid values are NONE, BACKWARD, FORWARD, FULL, BACKWARD_TRANSITIVE,"
                        + " FORWARD_TRANSITIVE, and FULL_TRANSITIVE");
    }

    /**
     * Why the candidate breaks this level against the existing versions (oldest first); empty when it does not.
     */
    List<String> violations(Schema candidate, List<Schema> existing) {
        if (existing.isEmpty()) {
            return List.of();
        }
        List<Schema> checked = transitive ? existing : List.of(existing.get(existing.size() - 1));
        return checked.stream()
                .flatMap(old -> problems(candidate, old).stream())
                .toList();
    }

    private List<String> problems(Schema candidate, Schema old) {
        List<String> problems = new ArrayList<>();
        if (newReadsOld) {
            describe(SchemaCompatibility.checkReaderWriterCompatibility(candidate, old), "new schema cannot read data"
                    + " written with the old one", problems);
        }
        if (oldReadsNew) {
            describe(SchemaCompatibility.checkReaderWriterCompatibility(old, candidate), "old schema cannot read data"
                    + " written with the new one", problems);
        }
        return problems;
    }

    private static void describe(SchemaCompatibility.SchemaPairCompatibility result, String direction,
            List<String> problems) {
        if (result.getType() != SchemaCompatibilityType.COMPATIBLE) {
            result.getResult().getIncompatibilities().forEach(i -> problems.add(direction + ": "
                    + i.getType() + " at " + i.getLocation() + " (" + i.getMessage() + ")"));
        }
    }
}
