package io.fugou.serde.avro;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * The serde's settings, read from the Kafka client configuration under Confluent's keys, so a
 * configuration written for Confluent's serializer works unchanged here (and the reverse). Keys of
 * Confluent's registry client that would change how the registry is reached ({@code bearer.auth.*},
 * {@code schema.registry.ssl.*}) are either honoured or refused with a {@link ConfigException}
 * naming the key: never silently ignored.
 *
 * @param useSchemaId          Confluent's {@code use.schema.id}; -1 when not set
 * @param readerTypes          the generated classes records are read into ({@code specific.avro.*.type},
 *                             {@code avro.reader.types.by.topic})
 * @param credentials          how requests to the registry authenticate (basic or bearer)
 * @param tls                  the TLS setup for an {@code https} registry; {@code null} for the JDK's defaults
 */
public record AvroSerdeConfig(
        List<String> registryUrls,
        boolean autoRegisterSchemas,
        boolean useLatestVersion,
        boolean latestCompatibilityStrict,
        int useSchemaId,
        boolean idCompatibilityStrict,
        boolean normalizeSchemas,
        boolean removeJavaProperties,
        boolean specificAvroReader,
        ReaderTypes readerTypes,
        SubjectNameStrategy keySubjectNameStrategy,
        SubjectNameStrategy valueSubjectNameStrategy,
        RegistryCredentials credentials,
        RegistryTls tls,
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
    public static final String LATEST_COMPATIBILITY_STRICT = "latest.compatibility.strict";
    public static final String USE_SCHEMA_ID = "use.schema.id";
    public static final String ID_COMPATIBILITY_STRICT = "id.compatibility.strict";
    public static final String NORMALIZE_SCHEMAS = "normalize.schemas";
    public static final String AVRO_REMOVE_JAVA_PROPERTIES = "avro.remove.java.properties";
    public static final String SPECIFIC_AVRO_READER = "specific.avro.reader";
    public static final String SPECIFIC_AVRO_KEY_TYPE = "specific.avro.key.type";
    public static final String SPECIFIC_AVRO_VALUE_TYPE = "specific.avro.value.type";
    /**
     * Not a Confluent key: the reader class per topic, {@code topic=fully.qualified.Class} pairs
     * separated by commas (or a {@code Map<String, Class|String>}). For a listed topic it takes
     * precedence over {@link #SPECIFIC_AVRO_VALUE_TYPE}; values only.
     */
    public static final String READER_TYPES_BY_TOPIC = "avro.reader.types.by.topic";
    public static final String KEY_SUBJECT_NAME_STRATEGY = "key.subject.name.strategy";
    public static final String VALUE_SUBJECT_NAME_STRATEGY = "value.subject.name.strategy";
    public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    public static final String BEARER_AUTH_CREDENTIALS_SOURCE = "bearer.auth.credentials.source";
    public static final String BEARER_AUTH_TOKEN = "bearer.auth.token";
    public static final String BEARER_AUTH_LOGICAL_CLUSTER = "bearer.auth.logical.cluster";
    public static final String BEARER_AUTH_IDENTITY_POOL_ID = "bearer.auth.identity.pool.id";
    public static final String CONNECT_TIMEOUT_MS = "http.connect.timeout.ms";
    public static final String READ_TIMEOUT_MS = "http.read.timeout.ms";
    public static final String MAX_RETRIES = "max.retries";
    public static final String RETRIES_WAIT_MS = "retries.wait.ms";
    public static final String RETRIES_MAX_WAIT_MS = "retries.max.wait.ms";
    public static final String MAX_SCHEMAS_PER_SUBJECT = "max.schemas.per.subject";
    public static final String LATEST_CACHE_TTL_SEC = "latest.cache.ttl.sec";
    /** Not a Confluent key: packages whose generated classes Avro 1.12 may instantiate (comma-separated). */
    public static final String TRUSTED_PACKAGES = "avro.trusted.packages";

    /**
     * Confluent's registry client also reads its keys with this prefix ({@code schema.registry.bearer.auth.token}
     * means {@code bearer.auth.token}); the TLS keys exist only with it ({@code schema.registry.ssl.*}).
     */
    static final String CLIENT_NAMESPACE = "schema.registry.";
    private static final Set<String> BEARER_KEYS = Set.of(BEARER_AUTH_CREDENTIALS_SOURCE, BEARER_AUTH_TOKEN,
            BEARER_AUTH_LOGICAL_CLUSTER, BEARER_AUTH_IDENTITY_POOL_ID);

    /**
     * Confluent keys this serde does not implement and that would change what is written, read or
     * called if they were honoured: refused when set to anything but Confluent's default behaviour.
     * (Tuning keys such as {@code latest.cache.size} or {@code url.randomize} are simply not read.)
     */
    private static final Map<String, String> UNIMPLEMENTED = Map.ofEntries(
            Map.entry("proxy.host", "the registry is called directly; a proxy is not supported"),
            Map.entry("proxy.port", "the registry is called directly; a proxy is not supported"),
            Map.entry("use.latest.with.metadata", "schemas are chosen by auto.register.schemas, use.schema.id or use.latest.version"),
            Map.entry("use.schema.guid", "schemas are identified by their integer id"),
            Map.entry("context.name.strategy", "subjects are named by the subject name strategies only"),
            Map.entry("schema.reflection", "only generated (specific) and generic records are supported"),
            Map.entry("avro.use.logical.type.converters", "generic records carry logical types as their underlying Avro types"),
            Map.entry("rule.executors", "data contract rules are not supported"),
            Map.entry("rule.actions", "data contract rules are not supported"),
            Map.entry("key.schema.id.serializer", "the schema id is always written as Confluent's 5-byte prefix"),
            Map.entry("value.schema.id.serializer", "the schema id is always written as Confluent's 5-byte prefix"),
            Map.entry("key.schema.id.deserializer", "the schema id is always read from Confluent's 5-byte prefix"),
            Map.entry("value.schema.id.deserializer", "the schema id is always read from Confluent's 5-byte prefix"));

    public static AvroSerdeConfig from(Map<String, ?> configs) {
        refuseUnimplemented(configs);
        String urls = string(configs, SCHEMA_REGISTRY_URL, null);
        if (urls == null || urls.isBlank()) {
            throw new ConfigException(SCHEMA_REGISTRY_URL, urls, "the Avro serde needs the schema registry's URL");
        }
        boolean specificAvroReader = bool(configs, SPECIFIC_AVRO_READER, false);
        return new AvroSerdeConfig(
                Arrays.stream(urls.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList(),
                bool(configs, AUTO_REGISTER_SCHEMAS, true),
                bool(configs, USE_LATEST_VERSION, false),
                bool(configs, LATEST_COMPATIBILITY_STRICT, true),
                (int) number(configs, USE_SCHEMA_ID, -1),
                bool(configs, ID_COMPATIBILITY_STRICT, true),
                bool(configs, NORMALIZE_SCHEMAS, false),
                bool(configs, AVRO_REMOVE_JAVA_PROPERTIES, false),
                specificAvroReader,
                ReaderTypes.from(configs, specificAvroReader),
                SubjectNameStrategy.from(configs.get(KEY_SUBJECT_NAME_STRATEGY)),
                SubjectNameStrategy.from(configs.get(VALUE_SUBJECT_NAME_STRATEGY)),
                credentials(configs),
                RegistryTls.from(configs),
                Duration.ofMillis(number(configs, CONNECT_TIMEOUT_MS, 5_000)),
                Duration.ofMillis(number(configs, READ_TIMEOUT_MS, 10_000)),
                (int) number(configs, MAX_RETRIES, 3),
                Duration.ofMillis(number(configs, RETRIES_WAIT_MS, 200)),
                Duration.ofMillis(number(configs, RETRIES_MAX_WAIT_MS, 2_000)),
                (int) number(configs, MAX_SCHEMAS_PER_SUBJECT, 1_000),
                Duration.ofSeconds(number(configs, LATEST_CACHE_TTL_SEC, 60)),
                Arrays.stream(string(configs, TRUSTED_PACKAGES, "").split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList());
    }

    /**
     * How requests to the registry authenticate: at most one of basic (user info) and bearer (a static token).
     *
     * @param basicUserInfo        {@code user:password} for basic auth, or {@code null} (then the URL's user info, if any)
     * @param bearerToken          the token sent as {@code Authorization: Bearer}, or {@code null}
     * @param bearerLogicalCluster sent as {@code target-sr-cluster} (Confluent Cloud), or {@code null}
     * @param bearerIdentityPoolId sent as {@code Confluent-Identity-Pool-Id} (Confluent Cloud), or {@code null}
     */
    public record RegistryCredentials(String basicUserInfo, String bearerToken, String bearerLogicalCluster, String bearerIdentityPoolId) {

        @Override
        public String toString() {
            return "RegistryCredentials[basic=" + (basicUserInfo != null) + ", bearer=" + (bearerToken != null) + "]";
        }
    }

    /** Confluent's rules: sources only when set; both at once refused; a source other than the ones we implement refused. */
    private static RegistryCredentials credentials(Map<String, ?> configs) {
        refuseUnsupportedBearerKeys(configs);
        String basicSource = clientString(configs, BASIC_AUTH_CREDENTIALS_SOURCE);
        String bearerSource = clientString(configs, BEARER_AUTH_CREDENTIALS_SOURCE);
        if (notEmpty(basicSource) && notEmpty(bearerSource)) {
            throw new ConfigException("Only one of '" + BASIC_AUTH_CREDENTIALS_SOURCE + "' and '" + BEARER_AUTH_CREDENTIALS_SOURCE
                    + "' may be specified");
        }
        if (notEmpty(bearerSource)) {
            if (!"STATIC_TOKEN".equals(bearerSource.trim())) {
                throw new ConfigException(BEARER_AUTH_CREDENTIALS_SOURCE, bearerSource,
                        "supported: STATIC_TOKEN (with " + BEARER_AUTH_TOKEN + "); OAuth sources (OAUTHBEARER, SASL_OAUTHBEARER_INHERIT, "
                                + "CUSTOM, UAMI...) are not implemented by this serde: fetch the token outside and pass it as "
                                + BEARER_AUTH_TOKEN);
            }
            String token = clientString(configs, BEARER_AUTH_TOKEN);
            if (!notEmpty(token)) {
                throw new ConfigException("Token must be provided via " + BEARER_AUTH_TOKEN + " config when "
                        + BEARER_AUTH_CREDENTIALS_SOURCE + " is set to STATIC_TOKEN");
            }
            return new RegistryCredentials(null, token, clientString(configs, BEARER_AUTH_LOGICAL_CLUSTER),
                    clientString(configs, BEARER_AUTH_IDENTITY_POOL_ID));
        }
        for (String key : BEARER_KEYS) {
            if (notEmpty(clientString(configs, key))) {
                throw new ConfigException(key, "(hidden)", "bearer auth is only used when " + BEARER_AUTH_CREDENTIALS_SOURCE
                        + " is set (to STATIC_TOKEN); set it, or remove " + key);
            }
        }
        String source = notEmpty(basicSource) ? basicSource.trim() : "URL";
        return switch (source) {
            case "USER_INFO" -> {
                String userInfo = clientString(configs, BASIC_AUTH_USER_INFO);
                if (!notEmpty(userInfo)) {
                    throw new ConfigException(BASIC_AUTH_USER_INFO, null, BASIC_AUTH_CREDENTIALS_SOURCE + " is USER_INFO but no user:password is set");
                }
                yield new RegistryCredentials(userInfo, null, null, null);
            }
            case "URL" -> new RegistryCredentials(null, null, null, null); // taken from the URL's user-info part by the client
            default -> throw new ConfigException(BASIC_AUTH_CREDENTIALS_SOURCE, basicSource, "supported: URL, USER_INFO");
        };
    }

    private static void refuseUnimplemented(Map<String, ?> configs) {
        for (Map.Entry<String, ?> entry : configs.entrySet()) {
            String key = entry.getKey();
            String reason = UNIMPLEMENTED.get(key);
            if (key.startsWith("request.header.")) {
                reason = "extra request headers are not supported";
            }
            if (reason == null || entry.getValue() == null || isConfluentDefault(key, string(configs, key, "").trim())) {
                continue;
            }
            throw new ConfigException(key, key.startsWith("request.header.") ? "(hidden)" : entry.getValue(), "not supported by this serde: " + reason);
        }
    }

    /** Values that ask for what this serde does anyway. */
    private static boolean isConfluentDefault(String key, String value) {
        String simple = value.substring(value.lastIndexOf('.') + 1);
        return value.isEmpty()
                || (key.equals("schema.reflection") || key.equals("avro.use.logical.type.converters")) && value.equalsIgnoreCase("false")
                || key.endsWith("schema.id.serializer") && simple.equals("PrefixSchemaIdSerializer")
                || key.endsWith("schema.id.deserializer") && (simple.equals("PrefixSchemaIdDeserializer") || simple.equals("DualSchemaIdDeserializer"));
    }

    private static void refuseUnsupportedBearerKeys(Map<String, ?> configs) {
        for (String key : configs.keySet()) {
            String bare = key.startsWith(CLIENT_NAMESPACE + "bearer.auth.") ? key.substring(CLIENT_NAMESPACE.length()) : key;
            if (bare.startsWith("bearer.auth.") && !BEARER_KEYS.contains(bare)) {
                throw new ConfigException(key, "(hidden)", "not supported by this serde, which implements bearer auth with a static token only ("
                        + String.join(", ", new TreeSet<>(BEARER_KEYS)) + ")");
            }
        }
    }

    /** A registry-client key, under its own name or with Confluent's {@code schema.registry.} prefix; {@code null} when unset. */
    static String clientString(Map<String, ?> configs, String key) {
        Object value = configs.containsKey(key) ? configs.get(key) : configs.get(CLIENT_NAMESPACE + key);
        if (value instanceof Password password) {
            return password.value();
        }
        return value == null ? null : value.toString();
    }

    private static boolean notEmpty(String value) {
        return value != null && !value.isBlank();
    }

    static String string(Map<String, ?> configs, String key, String fallback) {
        Object value = configs.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof List<?> list) {
            return String.join(",", list.stream().map(String::valueOf).toList());
        }
        if (value instanceof Password password) {
            return password.value();
        }
        return value.toString();
    }

    static List<String> list(Map<String, ?> configs, String key) {
        String text = string(configs, key, null);
        if (text == null) {
            return null;
        }
        List<String> items = new ArrayList<>();
        for (String item : text.split(",")) {
            if (!item.isBlank()) {
                items.add(item.trim());
            }
        }
        return items;
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
