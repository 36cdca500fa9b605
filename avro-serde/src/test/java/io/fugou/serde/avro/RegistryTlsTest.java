package io.fugou.serde.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Confluent's {@code schema.registry.ssl.*} keys against an HTTPS registry that requires a client
 * certificate (mutual TLS), with stores made by the JDK's keytool: the trust store lets the client
 * trust the registry, the key store lets the registry trust the client.
 */
class RegistryTlsTest {

    private static final String SCHEMA = "{\"type\":\"record\",\"name\":\"Visit\",\"fields\":[{\"name\":\"page\",\"type\":\"string\"}]}";

    @TempDir
    static Path dir;
    private static HttpsServer server;

    @BeforeAll
    static void startRegistryRequiringClientCertificates() throws Exception {
        keytool("-genkeypair", "-alias", "registry", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", "registry.p12", "-storepass", "registry-pw");
        keytool("-exportcert", "-alias", "registry", "-keystore", "registry.p12", "-storepass", "registry-pw", "-file", "registry.cer");
        keytool("-importcert", "-noprompt", "-alias", "registry", "-file", "registry.cer", "-storetype", "JKS",
                "-keystore", "client-trust.jks", "-storepass", "trust-pw");
        keytool("-genkeypair", "-alias", "shop", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=shop-backend", "-validity", "2",
                "-storetype", "JKS", "-keystore", "client.jks", "-storepass", "client-pw", "-keypass", "key-pw");
        keytool("-exportcert", "-alias", "shop", "-keystore", "client.jks", "-storepass", "client-pw", "-file", "shop.cer");
        keytool("-importcert", "-noprompt", "-alias", "shop", "-file", "shop.cer", "-storetype", "PKCS12",
                "-keystore", "registry-trust.p12", "-storepass", "registry-trust-pw");

        SSLContext context = SSLContext.getInstance("TLS");
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(load("registry.p12", "PKCS12", "registry-pw"), "registry-pw".toCharArray());
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(load("registry-trust.p12", "PKCS12", "registry-trust-pw"));
        context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);

        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(context) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters parameters = getSSLContext().getDefaultSSLParameters();
                parameters.setNeedClientAuth(true);
                params.setSSLParameters(parameters);
            }
        });
        server.createContext("/", exchange -> {
            byte[] body = ("{\"schema\":\"" + SCHEMA.replace("\"", "\\\"") + "\"}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterAll
    static void stopRegistry() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static SchemaRegistryClient client(Object... pairs) {
        Map<String, Object> config = new HashMap<>();
        config.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, "https://localhost:" + server.getAddress().getPort());
        config.put(AvroSerdeConfig.MAX_RETRIES, 0);
        for (int i = 0; i < pairs.length; i += 2) {
            config.put((String) pairs[i], pairs[i + 1]);
        }
        return new SchemaRegistryClient(AvroSerdeConfig.from(config));
    }

    private static Object[] trustStore() {
        return new Object[] {"schema.registry.ssl.truststore.location", dir.resolve("client-trust.jks").toString(),
                "schema.registry.ssl.truststore.password", "trust-pw", "schema.registry.ssl.truststore.type", "JKS"};
    }

    private static Object[] keyStore() {
        return new Object[] {"schema.registry.ssl.keystore.location", dir.resolve("client.jks").toString(),
                "schema.registry.ssl.keystore.password", "client-pw", "schema.registry.ssl.key.password", "key-pw"};
    }

    private static Object[] both() {
        List<Object> pairs = new ArrayList<>(List.of(trustStore()));
        pairs.addAll(List.of(keyStore()));
        return pairs.toArray();
    }

    @Test
    void shouldReachAnHttpsRegistryWithTheConfiguredTrustAndKeyStores() {
        assertThat(client(both()).byId(1).getName()).isEqualTo("Visit");
    }

    @Test
    void shouldOfferOnlyTheConfiguredProtocols() {
        List<Object> pairs = new ArrayList<>(List.of(both()));
        pairs.addAll(List.of("schema.registry.ssl.enabled.protocols", "TLSv1.2", "schema.registry.ssl.protocol", "TLSv1.2"));

        assertThat(client(pairs.toArray()).byId(1).getName()).isEqualTo("Visit");
    }

    @Test
    void shouldNotTrustTheRegistryWithoutTheTrustStore() {
        assertThatThrownBy(() -> client(keyStore()).byId(1))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("unreachable");
    }

    @Test
    void shouldBeRefusedByTheRegistryWithoutTheClientsKeyStore() {
        assertThatThrownBy(() -> client(trustStore()).byId(1))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("unreachable");
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + output);
        }
    }

    private static KeyStore load(String file, String type, String password) throws Exception {
        KeyStore store = KeyStore.getInstance(type);
        try (InputStream in = Files.newInputStream(dir.resolve(file))) {
            store.load(in, password.toCharArray());
        }
        return store;
    }
}
