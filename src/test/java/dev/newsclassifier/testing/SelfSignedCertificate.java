package dev.newsclassifier.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import dev.newsclassifier.registry.RegistryTls;

/**
 * A key pair and self-signed certificate for 127.0.0.1 and localhost, made by the JDK's {@code keytool} in a
 * directory: {@link #keystore()} for a server, {@link #truststore()} (the certificate alone) for its clients. Both are
 * PKCS12 files with the password {@link #password()}.
 */
public final class SelfSignedCertificate {

    private static final String ALIAS = "local-test";

    private final RegistryTls.StoreFile keystore;
    private final RegistryTls.StoreFile truststore;

    private SelfSignedCertificate(RegistryTls.StoreFile keystore, RegistryTls.StoreFile truststore) {
        this.keystore = keystore;
        this.truststore = truststore;
    }

    /** Writes {@code server.p12}, {@code server.crt} and {@code truststore.p12} into {@code dir}. */
    public static SelfSignedCertificate create(Path dir, String password) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path keystore = dir.resolve("server.p12");
        Path certificate = dir.resolve("server.crt");
        Path truststore = dir.resolve("truststore.p12");
        keytool("-genkeypair", "-alias", ALIAS, "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", password);
        keytool("-exportcert", "-rfc", "-alias", ALIAS, "-keystore", keystore.toString(), "-storepass", password,
                "-file", certificate.toString());
        keytool("-importcert", "-noprompt", "-alias", ALIAS, "-file", certificate.toString(),
                "-storetype", "PKCS12", "-keystore", truststore.toString(), "-storepass", password);
        return new SelfSignedCertificate(new RegistryTls.StoreFile(keystore, password, "PKCS12"),
                new RegistryTls.StoreFile(truststore, password, "PKCS12"));
    }

    public RegistryTls.StoreFile keystore() {
        return keystore;
    }

    public RegistryTls.StoreFile truststore() {
        return truststore;
    }

    public String password() {
        return keystore.password();
    }

    /** A context presenting this certificate, for a test server. */
    public SSLContext serverContext() {
        return RegistryTls.sslContext(null, keystore);
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException("keytool " + args[0] + " failed: " + output);
        }
    }
}
