package dev.newsclassifier.serde;

import dev.newsclassifier.local.RegistryKind;

/** {@link ConfluentJsClientInteropTest}: Confluent's JavaScript client and this serde, through Apicurio Registry. */
class ApicurioConfluentJsClientInteropTest extends ConfluentJsClientInteropTest {

    @Override
    RegistryKind registryKind() {
        return RegistryKind.APICURIO;
    }
}
