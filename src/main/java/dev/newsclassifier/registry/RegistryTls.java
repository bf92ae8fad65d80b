package dev.newsclassifier.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Objects;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds the {@link SSLContext} of a {@link SchemaRegistryClient} from key store files, the way Confluent's
 * {@code schema.registry.ssl.truststore.*} and {@code schema.registry.ssl.keystore.*} settings describe them: a trust
 * store for a registry certificate the JDK does not trust by default, and a key store for mutual TLS.
 */
public final class RegistryTls {

    private RegistryTls() {
    }

    /**
     * A key store file. The password is never part of {@link #toString()}, which ends up in logs.
     *
     * @param password null for a store without one
     * @param type a {@link KeyStore} type such as {@code PKCS12} or {@code JKS}
     */
    public record StoreFile(Path location, String password, String type) {
        public StoreFile {
            Objects.requireNonNull(location, "location");
            Objects.requireNonNull(type, "type");
        }

        @Override
        public String toString() {
            return "StoreFile{location=" + location + ", type=" + type + ", password=" + (password != null) + "}";
        }
    }

    /**
     * @param truststore certificates to trust; null trusts what the JDK trusts
     * @param keystore the client's key and certificate for mutual TLS, its key protected by the store's password;
     *     null for none
     * @throws IllegalStateException naming the file and what is wrong with it, never the password
     */
    public static SSLContext sslContext(StoreFile truststore, StoreFile keystore) {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(truststore == null ? null : load(truststore, "trust store"));
            KeyManager[] keys = null;
            if (keystore != null) {
                KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                factory.init(load(keystore, "key store"), password(keystore));
                keys = factory.getKeyManagers();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS for the Schema Registry from " + truststore + " and "
                    + keystore + ": " + e.getMessage(), e);
        }
    }

    private static KeyStore load(StoreFile file, String what) {
        try (InputStream in = Files.newInputStream(file.location())) {
            KeyStore store = KeyStore.getInstance(file.type());
            store.load(in, password(file));
            return store;
        } catch (IOException | GeneralSecurityException e) {
            // The JDK says "keystore password was incorrect" or names the file; neither shows the password.
            throw new IllegalStateException("cannot read the Schema Registry " + what + " " + file.location()
                    + " (type " + file.type() + "): " + e.getMessage(), e);
        }
    }

    private static char[] password(StoreFile file) {
        return file.password() == null ? null : file.password().toCharArray();
    }
}
