package io.fugou.serde.avro;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * The serde's settings, read from the Kafka client configuration under Confluent's keys, so a
 * configuration written for Confluent's serializer works unchanged here (and the reverse).
 */
public record AvroSerdeConfig(
        List<String> registryUrls,
        boolean autoRegisterSchemas,
        boolean useLatestVersion,
        boolean specificAvroReader,
        SubjectNameStrategy keySubjectNameStrategy,
        SubjectNameStrategy valueSubjectNameStrategy,
        String basicAuthUserInfo,
        Duration connectTimeout,
        Duration requestTimeout,
        int maxRetries,
        Duration retryWait,
        Duration retryMaxWait,
        int cacheCapacity,
        Duration latestCacheTtl,
        List<String> trustedPackages) {

    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    public static final String USE_LATEST_VERSION = "use.latest.version";
    public static final String SPECIFIC_AVRO_READER = "specific.avro.reader";
    public static final String KEY_SUBJECT_NAME_STRATEGY = "key.subject.name.strategy";
    public static final String VALUE_SUBJECT_NAME_STRATEGY = "value.subject.name.strategy";
    public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    public static final String CONNECT_TIMEOUT_MS = "http.connect.timeout.ms";
    public static final String READ_TIMEOUT_MS = "http.read.timeout.ms";
    public static final String MAX_RETRIES = "max.retries";
    public static final String RETRIES_WAIT_MS = "retries.wait.ms";
    public static final String RETRIES_MAX_WAIT_MS = "retries.max.wait.ms";
    public static final String MAX_SCHEMAS_PER_SUBJECT = "max.schemas.per.subject";
    public static final String LATEST_CACHE_TTL_SEC = "latest.cache.ttl.sec";
    /** Not a Confluent key: packages whose generated classes Avro 1.12 may instantiate (comma-separated). */
    public static final String TRUSTED_PACKAGES = "avro.trusted.packages";

    public static AvroSerdeConfig from(Map<String, ?> configs) {
        String urls = string(configs, SCHEMA_REGISTRY_URL, null);
        if (urls == null || urls.isBlank()) {
            throw new ConfigException(SCHEMA_REGISTRY_URL, urls, "the Avro serde needs the schema registry's URL");
        }
        String credentialsSource = string(configs, BASIC_AUTH_CREDENTIALS_SOURCE, "URL");
        String userInfo = switch (credentialsSource) {
            case "USER_INFO" -> string(configs, BASIC_AUTH_USER_INFO, null);
            case "URL" -> null; // taken from the URL's user-info part by the client
            default -> throw new ConfigException(BASIC_AUTH_CREDENTIALS_SOURCE, credentialsSource, "supported: URL, USER_INFO");
        };
        return new AvroSerdeConfig(
                Arrays.stream(urls.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList(),
                bool(configs, AUTO_REGISTER_SCHEMAS, true),
                bool(configs, USE_LATEST_VERSION, false),
                bool(configs, SPECIFIC_AVRO_READER, false),
                SubjectNameStrategy.from(configs.get(KEY_SUBJECT_NAME_STRATEGY)),
                SubjectNameStrategy.from(configs.get(VALUE_SUBJECT_NAME_STRATEGY)),
                userInfo,
                Duration.ofMillis(number(configs, CONNECT_TIMEOUT_MS, 5_000)),
                Duration.ofMillis(number(configs, READ_TIMEOUT_MS, 10_000)),
                (int) number(configs, MAX_RETRIES, 3),
                Duration.ofMillis(number(configs, RETRIES_WAIT_MS, 200)),
                Duration.ofMillis(number(configs, RETRIES_MAX_WAIT_MS, 2_000)),
                (int) number(configs, MAX_SCHEMAS_PER_SUBJECT, 1_000),
                Duration.ofSeconds(number(configs, LATEST_CACHE_TTL_SEC, 60)),
                Arrays.stream(string(configs, TRUSTED_PACKAGES, "").split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList());
    }

    private static String string(Map<String, ?> configs, String key, String fallback) {
        Object value = configs.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof List<?> list) {
            return String.join(",", list.stream().map(String::valueOf).toList());
        }
        return value.toString();
    }

    private static boolean bool(Map<String, ?> configs, String key, boolean fallback) {
        Object value = configs.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        String text = value.toString().trim();
        if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
            throw new ConfigException(key, value, "expected true or false");
        }
        return Boolean.parseBoolean(text);
    }

    private static long number(Map<String, ?> configs, String key, long fallback) {
        Object value = configs.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Number n) {
            return n.longValue();
        }
        try {
            return Long.parseLong(value.toString().trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key, value, "expected a whole number");
        }
    }
}
