package dev.newsclassifier.serde;

import dev.newsclassifier.local.RegistryKind;

/** {@link ConfluentAvroSerdeTest}'s round trips, evolution and outage against Apicurio Registry. */
class ApicurioConfluentAvroSerdeTest extends ConfluentAvroSerdeTest {

    @Override
    RegistryKind registryKind() {
        return RegistryKind.APICURIO;
    }
}
