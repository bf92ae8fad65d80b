package dev.newsclassifier.deploy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Dockerfile read into its header comment and its instructions, grouped by build stage. Enough of the syntax
 * for this project's Dockerfiles: comments, line continuations, and instructions as keyword plus arguments.
 */
record Dockerfile(Path path, List<String> header, List<Stage> stages) {

    record Instruction(String keyword, String arguments) {
    }

    record Stage(String baseImage, Optional<String> name, List<Instruction> instructions) {

        List<Instruction> all(String keyword) {
            return instructions.stream().filter(instruction -> instruction.keyword().equals(keyword)).toList();
        }

        int indexOf(String keyword) {
            for (int i = 0; i < instructions.size(); i++) {
                if (instructions.get(i).keyword().equals(keyword)) {
                    return i;
                }
            }
            return -1;
        }

        /** Variables set by ENV, in {@code ENV A=1 B=2} form. */
        Map<String, String> environment() {
            Map<String, String> variables = new LinkedHashMap<>();
            Pattern assignment = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|\\S*)");
            for (Instruction env : all("ENV")) {
                Matcher matcher = assignment.matcher(env.arguments());
                while (matcher.find()) {
                    variables.put(matcher.group(1), matcher.group(2).replaceAll("^\"|\"$", ""));
                }
            }
            return variables;
        }

        /** Default values of build arguments, from {@code ARG NAME=value}. */
        Map<String, String> argumentDefaults() {
            Map<String, String> defaults = new LinkedHashMap<>();
            for (Instruction arg : all("ARG")) {
                String[] parts = arg.arguments().split("=", 2);
                if (parts.length == 2) {
                    defaults.put(parts[0].trim(), parts[1].trim());
                }
            }
            return defaults;
        }
    }

    static Dockerfile parse(Path path) {
        List<String> header = new ArrayList<>();
        List<Stage> stages = new ArrayList<>();
        List<Instruction> current = null;
        boolean inHeader = true;
        StringBuilder logicalLine = new StringBuilder();
        for (String line : DeploymentFiles.read(path).split("\n", -1)) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#")) {
                if (inHeader) {
                    header.add(trimmed.substring(1).strip());
                }
                continue;
            }
            inHeader = false;
            if (trimmed.endsWith("\\")) {
                logicalLine.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            logicalLine.append(trimmed);
            String instructionLine = logicalLine.toString().strip();
            logicalLine.setLength(0);
            if (instructionLine.isEmpty()) {
                continue;
            }
            String[] parts = instructionLine.split("\\s+", 2);
            Instruction instruction = new Instruction(parts[0].toUpperCase(Locale.ROOT), parts.length > 1 ? parts[1] : "");
            if (instruction.keyword().equals("FROM")) {
                String[] from = instruction.arguments().split("\\s+");
                current = new ArrayList<>();
                Optional<String> name = from.length == 3 && from[1].equalsIgnoreCase("AS") ? Optional.of(from[2])
                        : Optional.empty();
                stages.add(new Stage(from[0], name, current));
            } else if (current != null) {
                current.add(instruction);
            }
        }
        return new Dockerfile(path, header, stages);
    }

    Stage finalStage() {
        return stages.get(stages.size() - 1);
    }

    /** The image tag the header's {@code docker build ... -t IMAGE} command gives. */
    Optional<String> builtImage() {
        Matcher matcher = Pattern.compile("docker build .*-t (\\S+)").matcher(String.join("\n", header));
        return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
    }
}
