package io.fugou.serde.avro;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.SslConfigs;

/**
 * TLS towards an {@code https} registry, from Confluent's {@code schema.registry.ssl.*} keys (the Kafka
 * client's own {@code ssl.*} keys with the registry prefix), built into an {@link SSLContext} for the
 * JDK's HttpClient. Keystores and truststores are files (JKS, PKCS12, or any type the JDK knows);
 * PEM content in the configuration and the other Kafka SSL keys are refused, never ignored.
 *
 * <p>One difference from Confluent's client, on the safe side: the registry's host name is always
 * verified. Confluent's client skips that check unless
 * {@code schema.registry.ssl.endpoint.identification.algorithm=https}; here {@code https} (or unset) is
 * accepted and an empty value or {@code none} is refused.
 */
public final class RegistryTls {

    static final String PREFIX = AvroSerdeConfig.CLIENT_NAMESPACE;
    private static final Set<String> SUPPORTED = Set.of(
            SslConfigs.SSL_PROTOCOL_CONFIG, SslConfigs.SSL_PROVIDER_CONFIG,
            SslConfigs.SSL_ENABLED_PROTOCOLS_CONFIG, SslConfigs.SSL_CIPHER_SUITES_CONFIG,
            SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG,
            SslConfigs.SSL_KEY_PASSWORD_CONFIG,
            SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG,
            SslConfigs.SSL_KEYMANAGER_ALGORITHM_CONFIG, SslConfigs.SSL_TRUSTMANAGER_ALGORITHM_CONFIG,
            SslConfigs.SSL_SECURE_RANDOM_IMPLEMENTATION_CONFIG, SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG);

    private final SSLContext context;
    private final SSLParameters parameters;

    private RegistryTls(SSLContext context, SSLParameters parameters) {
        this.context = context;
        this.parameters = parameters;
    }

    public SSLContext context() {
        return context;
    }

    /** Protocols and cipher suites to offer, or {@code null} for the context's defaults. */
    public SSLParameters parameters() {
        return parameters;
    }

    /** The TLS setup the configuration asks for, or {@code null} when it sets no {@code schema.registry.ssl.*} key. */
    static RegistryTls from(Map<String, ?> configs) {
        Map<String, String> ssl = new LinkedHashMap<>();
        for (Map.Entry<String, ?> entry : configs.entrySet()) {
            if (!entry.getKey().startsWith(PREFIX + "ssl.") || entry.getValue() == null) {
                continue;
            }
            String key = entry.getKey().substring(PREFIX.length());
            if (!SUPPORTED.contains(key)) {
                throw new ConfigException(entry.getKey(), "(hidden)", "not supported by this serde; supported: "
                        + String.join(", ", new TreeSet<>(SUPPORTED.stream().map(k -> PREFIX + k).toList()))
                        + " (key and trust stores as files, not PEM content)");
            }
            String value = AvroSerdeConfig.string(configs, entry.getKey(), null);
            if (value != null && !value.isBlank()) {
                ssl.put(key, value.trim());
            } else if (key.equals(SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG)) {
                ssl.put(key, "");
            }
        }
        if (ssl.isEmpty()) {
            return null;
        }
        String endpoint = ssl.get(SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG);
        if (endpoint != null && !endpoint.equalsIgnoreCase("https")) {
            throw new ConfigException(PREFIX + SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG, endpoint,
                    "this serde always verifies the registry's host name; only https is supported");
        }
        try {
            SSLContext context = build(ssl);
            SSLParameters parameters = null;
            List<String> protocols = AvroSerdeConfig.list(ssl, SslConfigs.SSL_ENABLED_PROTOCOLS_CONFIG);
            List<String> ciphers = AvroSerdeConfig.list(ssl, SslConfigs.SSL_CIPHER_SUITES_CONFIG);
            if (protocols != null || ciphers != null) {
                parameters = context.getDefaultSSLParameters();
                if (protocols != null) {
                    parameters.setProtocols(protocols.toArray(String[]::new));
                }
                if (ciphers != null) {
                    parameters.setCipherSuites(ciphers.toArray(String[]::new));
                }
            }
            return new RegistryTls(context, parameters);
        } catch (GeneralSecurityException | IOException e) {
            throw new ConfigException("Cannot set up TLS for the schema registry from the " + PREFIX + "ssl.* settings: " + e);
        }
    }

    private static SSLContext build(Map<String, String> ssl) throws GeneralSecurityException, IOException {
        String protocol = ssl.getOrDefault(SslConfigs.SSL_PROTOCOL_CONFIG, SslConfigs.DEFAULT_SSL_PROTOCOL);
        String provider = ssl.get(SslConfigs.SSL_PROVIDER_CONFIG);
        SSLContext context = provider != null ? SSLContext.getInstance(protocol, provider) : SSLContext.getInstance(protocol);

        KeyStore keyStore = load(ssl, "keystore", true);
        javax.net.ssl.KeyManager[] keyManagers = null;
        if (keyStore != null) {
            KeyManagerFactory factory = KeyManagerFactory.getInstance(
                    ssl.getOrDefault(SslConfigs.SSL_KEYMANAGER_ALGORITHM_CONFIG, KeyManagerFactory.getDefaultAlgorithm()));
            String keyPassword = ssl.getOrDefault(SslConfigs.SSL_KEY_PASSWORD_CONFIG, ssl.get(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG));
            factory.init(keyStore, keyPassword.toCharArray());
            keyManagers = factory.getKeyManagers();
        } else if (ssl.containsKey(SslConfigs.SSL_KEY_PASSWORD_CONFIG)) {
            throw new ConfigException(PREFIX + SslConfigs.SSL_KEY_PASSWORD_CONFIG, "(hidden)",
                    "set, but no " + PREFIX + SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG);
        }

        KeyStore trustStore = load(ssl, "truststore", false);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(
                ssl.getOrDefault(SslConfigs.SSL_TRUSTMANAGER_ALGORITHM_CONFIG, TrustManagerFactory.getDefaultAlgorithm()));
        trust.init(trustStore); // null: the JDK's default trust anchors

        String random = ssl.get(SslConfigs.SSL_SECURE_RANDOM_IMPLEMENTATION_CONFIG);
        context.init(keyManagers, trust.getTrustManagers(), random != null ? SecureRandom.getInstance(random) : null);
        return context;
    }

    /** Loads {@code ssl.<store>.location} with its type and password; {@code null} when no location is set. */
    private static KeyStore load(Map<String, String> ssl, String store, boolean passwordRequired) throws GeneralSecurityException, IOException {
        String locationKey = "ssl." + store + ".location";
        String passwordKey = "ssl." + store + ".password";
        String typeKey = "ssl." + store + ".type";
        String location = ssl.get(locationKey);
        String password = ssl.get(passwordKey);
        String type = ssl.getOrDefault(typeKey, "JKS");
        if (location == null) {
            if (password != null) {
                throw new ConfigException(PREFIX + passwordKey, "(hidden)", "set, but no " + PREFIX + locationKey);
            }
            return null;
        }
        if (type.equalsIgnoreCase("PEM")) {
            throw new ConfigException(PREFIX + typeKey, type, "PEM stores are not supported by this serde; use JKS or PKCS12");
        }
        if (passwordRequired && password == null) {
            throw new ConfigException(PREFIX + passwordKey, null, "required when " + PREFIX + locationKey + " is set");
        }
        Path path = Path.of(location);
        if (!Files.isReadable(path)) {
            throw new ConfigException(PREFIX + locationKey, location, "no readable file there");
        }
        KeyStore keyStore = KeyStore.getInstance(type);
        try (InputStream in = Files.newInputStream(path)) {
            keyStore.load(in, password == null ? null : password.toCharArray());
        }
        return keyStore;
    }
}
