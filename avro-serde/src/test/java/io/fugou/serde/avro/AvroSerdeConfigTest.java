package io.fugou.serde.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fugou.events.orders.OrderEvent;
import io.fugou.events.points.PointsEvent;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/**
 * Confluent's keys mean here what they mean there, and the ones that would change how the registry
 * is reached are honoured or refused with the key's name: a configuration is never half applied.
 */
class AvroSerdeConfigTest {

    private static Map<String, Object> config(Object... pairs) {
        Map<String, Object> config = new HashMap<>();
        config.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, "http://registry:8081");
        for (int i = 0; i < pairs.length; i += 2) {
            config.put((String) pairs[i], pairs[i + 1]);
        }
        return config;
    }

    private static AvroSerdeConfig from(Object... pairs) {
        return AvroSerdeConfig.from(config(pairs));
    }

    @Test
    void shouldDefaultAsConfluentDoes() {
        AvroSerdeConfig config = from();

        assertThat(config.autoRegisterSchemas()).isTrue();
        assertThat(config.useLatestVersion()).isFalse();
        assertThat(config.latestCompatibilityStrict()).isTrue();
        assertThat(config.useSchemaId()).isEqualTo(-1);
        assertThat(config.idCompatibilityStrict()).isTrue();
        assertThat(config.normalizeSchemas()).isFalse();
        assertThat(config.removeJavaProperties()).isFalse();
        assertThat(config.specificAvroReader()).isFalse();
        assertThat(config.tls()).isNull();
    }

    // --- bearer.auth.* ----------------------------------------------------------------------------

    @Test
    void shouldTakeAStaticBearerTokenUnderEitherName() {
        assertThat(from(AvroSerdeConfig.BEARER_AUTH_CREDENTIALS_SOURCE, "STATIC_TOKEN", AvroSerdeConfig.BEARER_AUTH_TOKEN, "t0k3n")
                .credentials().bearerToken()).isEqualTo("t0k3n");
        assertThat(from("schema.registry.bearer.auth.credentials.source", "STATIC_TOKEN", "schema.registry.bearer.auth.token", "t0k3n")
                .credentials().bearerToken()).isEqualTo("t0k3n");
    }

    @Test
    void shouldRefuseBearerSourcesItDoesNotImplement() {
        for (String source : new String[] {"OAUTHBEARER", "SASL_OAUTHBEARER_INHERIT", "CUSTOM"}) {
            assertThatThrownBy(() -> from(AvroSerdeConfig.BEARER_AUTH_CREDENTIALS_SOURCE, source))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining(AvroSerdeConfig.BEARER_AUTH_CREDENTIALS_SOURCE)
                    .hasMessageContaining(source)
                    .hasMessageContaining("supported: STATIC_TOKEN");
        }
    }

    @Test
    void shouldRefuseAStaticTokenSourceWithoutAToken() {
        assertThatThrownBy(() -> from(AvroSerdeConfig.BEARER_AUTH_CREDENTIALS_SOURCE, "STATIC_TOKEN"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(AvroSerdeConfig.BEARER_AUTH_TOKEN);
    }

    @Test
    void shouldRefuseATokenThatNoSourceWouldUse() {
        assertThatThrownBy(() -> from(AvroSerdeConfig.BEARER_AUTH_TOKEN, "t0k3n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(AvroSerdeConfig.BEARER_AUTH_TOKEN)
                .hasMessageContaining(AvroSerdeConfig.BEARER_AUTH_CREDENTIALS_SOURCE)
                .hasMessageNotContaining("t0k3n");
    }

    @Test
    void shouldRefuseBearerKeysItDoesNotImplement() {
        for (String key : new String[] {"bearer.auth.issuer.endpoint.url", "bearer.auth.client.secret", "schema.registry.bearer.auth.scope"}) {
            assertThatThrownBy(() -> from(AvroSerdeConfig.BEARER_AUTH_CREDENTIALS_SOURCE, "STATIC_TOKEN", AvroSerdeConfig.BEARER_AUTH_TOKEN, "t",
                    key, "secret-value"))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining(key)
                    .hasMessageNotContaining("secret-value");
        }
    }

    @Test
    void shouldRefuseBasicAndBearerTogetherAsConfluentDoes() {
        assertThatThrownBy(() -> from(AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE, "USER_INFO", AvroSerdeConfig.BASIC_AUTH_USER_INFO, "u:p",
                AvroSerdeConfig.BEARER_AUTH_CREDENTIALS_SOURCE, "STATIC_TOKEN", AvroSerdeConfig.BEARER_AUTH_TOKEN, "t"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE)
                .hasMessageContaining(AvroSerdeConfig.BEARER_AUTH_CREDENTIALS_SOURCE);
    }

    @Test
    void shouldRefuseUserInfoSourceWithoutUserInfo() {
        assertThatThrownBy(() -> from(AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE, "USER_INFO"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(AvroSerdeConfig.BASIC_AUTH_USER_INFO);
    }

    // --- schema.registry.ssl.* --------------------------------------------------------------------

    @Test
    void shouldRefuseRegistrySslKeysItDoesNotImplement() {
        for (String key : new String[] {"schema.registry.ssl.truststore.certificates", "schema.registry.ssl.keystore.key",
                "schema.registry.ssl.engine.factory.class", "schema.registry.ssl.client.auth"}) {
            assertThatThrownBy(() -> from(key, "value"))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining(key)
                    .hasMessageContaining("not supported");
        }
    }

    @Test
    void shouldRefuseTurningHostNameVerificationOff() {
        for (String value : new String[] {"", "none"}) {
            assertThatThrownBy(() -> from("schema.registry.ssl.endpoint.identification.algorithm", value))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("schema.registry.ssl.endpoint.identification.algorithm");
        }
    }

    @Test
    void shouldRefuseAKeyStoreWithoutItsPasswordAndStoresThatAreNotThere() {
        assertThatThrownBy(() -> from("schema.registry.ssl.keystore.location", "/nowhere/client.p12", "schema.registry.ssl.keystore.type", "PKCS12"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("schema.registry.ssl.keystore.password");
        assertThatThrownBy(() -> from("schema.registry.ssl.truststore.location", "/nowhere/trust.jks"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("schema.registry.ssl.truststore.location")
                .hasMessageContaining("/nowhere/trust.jks");
        assertThatThrownBy(() -> from("schema.registry.ssl.truststore.location", "/etc/hosts", "schema.registry.ssl.truststore.type", "PEM"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("schema.registry.ssl.truststore.type");
        assertThatThrownBy(() -> from("schema.registry.ssl.truststore.password", "pw"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("schema.registry.ssl.truststore.password");
    }

    @Test
    void shouldLeaveTheKafkaClientsOwnSslKeysAlone() {
        assertThat(from("ssl.truststore.location", "/broker/trust.jks", "ssl.engine.factory.class", "x.Y").tls()).isNull();
    }

    // --- other Confluent keys ---------------------------------------------------------------------

    @Test
    void shouldRefuseConfluentKeysThatWouldChangeWhatIsWrittenReadOrCalled() {
        Object[][] refused = {
                {"proxy.host", "proxy.internal"}, {"use.latest.with.metadata", "app=loyalty"}, {"schema.reflection", true},
                {"value.schema.id.serializer", "io.confluent.kafka.serializers.schema.id.HeaderSchemaIdSerializer"},
                {"context.name.strategy", "com.shop.Contexts"}, {"request.header.X-Api-Key", "secret-value"}};
        for (Object[] pair : refused) {
            assertThatThrownBy(() -> from(pair))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining((String) pair[0])
                    .hasMessageContaining("not supported")
                    .hasMessageNotContaining("secret-value");
        }
    }

    @Test
    void shouldAcceptThoseKeysSetToWhatItDoesAnyway() {
        from("schema.reflection", false, "avro.use.logical.type.converters", "false",
                "value.schema.id.serializer", "io.confluent.kafka.serializers.schema.id.PrefixSchemaIdSerializer",
                "value.schema.id.deserializer", "io.confluent.kafka.serializers.schema.id.DualSchemaIdDeserializer",
                "latest.cache.size", 100, "url.randomize", false);
    }

    // --- reader types -----------------------------------------------------------------------------

    @Test
    void shouldTakeReaderTypesAsClassesOrNamesWithTheTopicsOwnFirst() {
        ReaderTypes types = from(AvroSerdeConfig.SPECIFIC_AVRO_READER, true,
                AvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE, PointsEvent.class.getName(),
                AvroSerdeConfig.SPECIFIC_AVRO_KEY_TYPE, OrderEvent.class,
                AvroSerdeConfig.READER_TYPES_BY_TOPIC, " commerce.orders.v1 = " + OrderEvent.class.getName() + " ,").readerTypes();

        assertThat(types.forTopic("commerce.orders.v1", false)).isEqualTo(OrderEvent.class);
        assertThat(types.forTopic("loyalty.points.v1", false)).isEqualTo(PointsEvent.class);
        assertThat(types.forTopic("commerce.orders.v1", true)).as("the by-topic list is for values").isEqualTo(OrderEvent.class);
        assertThat(types.forTopic(null, false)).isEqualTo(PointsEvent.class);
    }

    @Test
    void shouldIgnoreReaderTypesWithoutSpecificReaderAsConfluentDoes() {
        assertThat(from(AvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE, OrderEvent.class).readerTypes().forTopic("t", false)).isNull();
    }

    @Test
    void shouldRefuseReaderTypesThatAreNotGeneratedClassesOrNotThere() {
        assertThatThrownBy(() -> from(AvroSerdeConfig.SPECIFIC_AVRO_READER, true, AvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE, String.class))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(AvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE)
                .hasMessageContaining("java.lang.String")
                .hasMessageContaining("SpecificRecord");
        assertThatThrownBy(() -> from(AvroSerdeConfig.SPECIFIC_AVRO_READER, true, AvroSerdeConfig.SPECIFIC_AVRO_KEY_TYPE, "com.shop.Missing"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(AvroSerdeConfig.SPECIFIC_AVRO_KEY_TYPE)
                .hasMessageContaining("com.shop.Missing");
        assertThatThrownBy(() -> from(AvroSerdeConfig.SPECIFIC_AVRO_READER, true, AvroSerdeConfig.READER_TYPES_BY_TOPIC, "orders=com.shop.Missing"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(AvroSerdeConfig.READER_TYPES_BY_TOPIC)
                .hasMessageContaining("com.shop.Missing");
        assertThatThrownBy(() -> from(AvroSerdeConfig.SPECIFIC_AVRO_READER, true, AvroSerdeConfig.READER_TYPES_BY_TOPIC, "orders:" + OrderEvent.class.getName()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(AvroSerdeConfig.READER_TYPES_BY_TOPIC)
                .hasMessageContaining("topic=fully.qualified.ClassName");
        assertThatThrownBy(() -> from(AvroSerdeConfig.SPECIFIC_AVRO_READER, true, AvroSerdeConfig.READER_TYPES_BY_TOPIC, Map.of("orders", Map.class)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(AvroSerdeConfig.READER_TYPES_BY_TOPIC)
                .hasMessageContaining("java.util.Map");
    }
}
