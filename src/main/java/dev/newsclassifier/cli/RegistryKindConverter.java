package dev.newsclassifier.cli;

import dev.newsclassifier.local.RegistryKind;
import picocli.CommandLine;

/** {@code --registry built-in|apicurio}, in any case. */
final class RegistryKindConverter implements CommandLine.ITypeConverter<RegistryKind> {

    @Override
    public RegistryKind convert(String value) {
        try {
            return RegistryKind.fromCliName(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
