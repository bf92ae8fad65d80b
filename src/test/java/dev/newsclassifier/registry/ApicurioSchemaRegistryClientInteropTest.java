package dev.newsclassifier.registry;

import dev.newsclassifier.local.RegistryKind;

/** {@link SchemaRegistryClientInteropTest}'s tests against Apicurio Registry's Confluent-compatible API. */
class ApicurioSchemaRegistryClientInteropTest extends SchemaRegistryClientInteropTest {

    @Override
    RegistryKind registryKind() {
        return RegistryKind.APICURIO;
    }
}
