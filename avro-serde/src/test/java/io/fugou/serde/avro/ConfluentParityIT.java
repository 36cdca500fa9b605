package io.fugou.serde.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fugou.events.orders.OrderEvent;
import io.fugou.infra.LocalSchemaRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/**
 * Confluent's serializer settings, against a real registry: how auto.register.schemas,
 * use.schema.id and use.latest.version combine (AbstractKafkaAvroSerializer's order), the
 * compatibility checks that guard the last two, avro.remove.java.properties, and normalize.schemas
 * as Apicurio's Confluent API answers it.
 */
class ConfluentParityIT {

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final LocalSchemaRegistry registry = TestRegistry.get();

    private static final Schema COUNT_INT = new Schema.Parser().parse(
            "{\"type\":\"record\",\"name\":\"Count\",\"namespace\":\"shop\",\"fields\":[{\"name\":\"n\",\"type\":\"int\"}]}");
    private static final Schema COUNT_LONG = new Schema.Parser().parse(
            "{\"type\":\"record\",\"name\":\"Count\",\"namespace\":\"shop\",\"fields\":[{\"name\":\"n\",\"type\":\"long\"}]}");

    private static String topic() {
        return "parity-" + UUID.randomUUID();
    }

    private static int idOf(byte[] bytes) {
        return ByteBuffer.wrap(bytes, 1, 4).getInt();
    }

    private static GenericRecord count(Schema schema, Object n) {
        GenericRecord record = new GenericData.Record(schema);
        record.put("n", n);
        return record;
    }

    /** What a shop does with its own tooling: registers its .avsc text under the subject, bypassing our serializer. */
    private int shopRegisters(String subject, String schemaJson) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(registry.url() + "/subjects/" + subject + "/versions"))
                        .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                        .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(Map.of("schema", schemaJson)))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body()).path("id").asInt();
    }

    private JsonNode versions(String subject) throws Exception {
        return json.readTree(http.send(HttpRequest.newBuilder(URI.create(registry.url() + "/subjects/" + subject + "/versions")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    // --- precedence -----------------------------------------------------------------------------

    @Test
    void shouldRegisterTheRecordsOwnSchemaWhenAutoRegisterIsOnEvenIfUseLatestVersionIsSet() throws Exception {
        String topic = topic();
        int shopsLatest = shopRegisters(topic + "-value", NewerSchemas.withoutJavaStrings(OrderEvent.getClassSchema()));

        byte[] bytes = ConfluentWireSerdeIT.serializer(AvroSerdeConfig.USE_LATEST_VERSION, true).serialize(topic, Orders.paidOrder("o-p1"));

        assertThat(idOf(bytes)).as("Confluent: auto.register.schemas=true wins, the record's own schema is registered").isNotEqualTo(shopsLatest);
        assertThat(versions(topic + "-value")).hasSize(2);
    }

    @Test
    void shouldWriteWithTheLatestVersionWhenAutoRegisterIsOff() throws Exception {
        String topic = topic();
        int shopsLatest = shopRegisters(topic + "-value", NewerSchemas.withoutJavaStrings(OrderEvent.getClassSchema()));
        OrderEvent order = Orders.paidOrder("o-p2");

        byte[] bytes = ConfluentWireSerdeIT.serializer(AvroSerdeConfig.USE_LATEST_VERSION, true, AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, false)
                .serialize(topic, order);

        assertThat(idOf(bytes)).isEqualTo(shopsLatest);
        assertThat(ConfluentWireSerdeIT.deserializer(AvroSerdeConfig.SPECIFIC_AVRO_READER, true).deserialize(topic, bytes)).isEqualTo(order);
    }

    @Test
    void shouldRefuseALatestVersionThatCannotReadTheRecordsSchemaUnlessToldNotToCheck() throws Exception {
        String topic = topic();
        int latest = shopRegisters(topic + "-value", COUNT_INT.toString());

        assertThatThrownBy(() -> ConfluentWireSerdeIT.serializer(AvroSerdeConfig.USE_LATEST_VERSION, true, AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, false)
                .serialize(topic, count(COUNT_LONG, 7L)))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("topic '" + topic + "'")
                .hasMessageContaining("subject '" + topic + "-value'")
                .hasMessageContaining("schema id " + latest)
                .hasMessageContaining(AvroSerdeConfig.LATEST_COMPATIBILITY_STRICT + "=false");
        byte[] unchecked = ConfluentWireSerdeIT.serializer(AvroSerdeConfig.USE_LATEST_VERSION, true, AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, false,
                AvroSerdeConfig.LATEST_COMPATIBILITY_STRICT, false).serialize(topic, count(COUNT_LONG, 7L));
        assertThat(idOf(unchecked)).isEqualTo(latest);
        assertThat(new GenericDatumReader<GenericRecord>(COUNT_INT).read(null,
                DecoderFactory.get().binaryDecoder(Arrays.copyOfRange(unchecked, 5, unchecked.length), null)).get("n")).isEqualTo(7);
    }

    @Test
    void shouldWriteWithTheConfiguredSchemaIdWhenAutoRegisterIsOff() throws Exception {
        String topic = topic();
        int shops = shopRegisters("shop-orders-" + UUID.randomUUID(), NewerSchemas.withoutJavaStrings(OrderEvent.getClassSchema()));

        byte[] bytes = ConfluentWireSerdeIT.serializer(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, false, AvroSerdeConfig.USE_SCHEMA_ID, shops,
                AvroSerdeConfig.USE_LATEST_VERSION, true).serialize(topic, Orders.paidOrder("o-p3"));

        assertThat(idOf(bytes)).as("use.schema.id comes before use.latest.version (which would find no subject)").isEqualTo(shops);
    }

    @Test
    void shouldRefuseASchemaIdThatCannotReadTheRecordsSchemaUnlessToldNotToCheck() throws Exception {
        int countInt = shopRegisters("counts-" + UUID.randomUUID(), COUNT_INT.toString());

        assertThatThrownBy(() -> ConfluentWireSerdeIT.serializer(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, false, AvroSerdeConfig.USE_SCHEMA_ID, countInt)
                .serialize("counts", count(COUNT_LONG, 8L)))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("schema id " + countInt)
                .hasMessageContaining(AvroSerdeConfig.ID_COMPATIBILITY_STRICT + "=false");
        byte[] unchecked = ConfluentWireSerdeIT.serializer(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, false, AvroSerdeConfig.USE_SCHEMA_ID, countInt,
                AvroSerdeConfig.ID_COMPATIBILITY_STRICT, false).serialize("counts", count(COUNT_LONG, 8L));
        assertThat(idOf(unchecked)).isEqualTo(countInt);
    }

    @Test
    void shouldRegisterWhenAutoRegisterIsOnEvenIfASchemaIdIsGiven() throws Exception {
        String topic = topic();
        int other = shopRegisters("counts-" + UUID.randomUUID(), COUNT_INT.toString());

        byte[] bytes = ConfluentWireSerdeIT.serializer(AvroSerdeConfig.USE_SCHEMA_ID, other).serialize(topic, Orders.paidOrder("o-p4"));

        assertThat(idOf(bytes)).isNotEqualTo(other);
        assertThat(versions(topic + "-value")).hasSize(1);
    }

    // --- avro.remove.java.properties --------------------------------------------------------------

    @Test
    void shouldFindTheSchemaAShopRegisteredWithoutJavaStringsOnlyWhenRemovingJavaProperties() throws Exception {
        String topic = topic();
        int shops = shopRegisters(topic + "-value", NewerSchemas.withoutJavaStrings(OrderEvent.getClassSchema()));
        OrderEvent order = Orders.paidOrder("o-j1");

        assertThatThrownBy(() -> ConfluentWireSerdeIT.serializer(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, false).serialize(topic, order))
                .as("our generated schema carries avro.java.string, the shop's does not: the registry sees two schemas")
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("subject '" + topic + "-value'")
                .hasMessageContaining("not registered")
                .hasMessageContaining(AvroSerdeConfig.AVRO_REMOVE_JAVA_PROPERTIES);
        byte[] bytes = ConfluentWireSerdeIT.serializer(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, false,
                AvroSerdeConfig.AVRO_REMOVE_JAVA_PROPERTIES, true).serialize(topic, order);

        assertThat(idOf(bytes)).isEqualTo(shops);
        assertThat(ConfluentWireSerdeIT.deserializer(AvroSerdeConfig.SPECIFIC_AVRO_READER, true).deserialize(topic, bytes)).isEqualTo(order);
    }

    @Test
    void shouldRegisterNoNewVersionWhenRemovingJavaPropertiesFromASchemaTheShopRegistered() throws Exception {
        String topic = topic();
        int shops = shopRegisters(topic + "-value", NewerSchemas.withoutJavaStrings(OrderEvent.getClassSchema()));

        byte[] bytes = ConfluentWireSerdeIT.serializer(AvroSerdeConfig.AVRO_REMOVE_JAVA_PROPERTIES, true).serialize(topic, Orders.paidOrder("o-j2"));

        assertThat(idOf(bytes)).isEqualTo(shops);
        assertThat(versions(topic + "-value")).hasSize(1);
    }

    // --- normalize.schemas, as Apicurio answers it -------------------------------------------------

    /**
     * Apicurio's Confluent API accepts {@code ?normalize=true} and matches schemas in another layout
     * (keys reordered, a doc added) with or without it: it compares a canonical form either way.
     */
    @Test
    void shouldFindASchemaRegisteredInAnotherLayoutWithNormalizeSchemas() throws Exception {
        String topic = topic();
        int shops = shopRegisters(topic + "-value",
                "{\"namespace\":\"shop\",\"doc\":\"a visit\",\"name\":\"Visit\",\"type\":\"record\",\"fields\":[{\"type\":\"string\",\"name\":\"page\"}]}");
        GenericRecord visit = new GenericData.Record(new Schema.Parser().parse(
                "{\"type\":\"record\",\"name\":\"Visit\",\"namespace\":\"shop\",\"fields\":[{\"name\":\"page\",\"type\":\"string\"}]}"));
        visit.put("page", "home");

        byte[] normalized = ConfluentWireSerdeIT.serializer(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, false, AvroSerdeConfig.NORMALIZE_SCHEMAS, true)
                .serialize(topic, visit);
        byte[] registeredNormalized = ConfluentWireSerdeIT.serializer(AvroSerdeConfig.NORMALIZE_SCHEMAS, true).serialize(topic, visit);
        byte[] plain = ConfluentWireSerdeIT.serializer(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, false).serialize(topic, visit);

        assertThat(idOf(normalized)).isEqualTo(shops);
        assertThat(idOf(registeredNormalized)).as("registering with normalize=true adds no version").isEqualTo(shops);
        assertThat(idOf(plain)).as("Apicurio: the same without normalize").isEqualTo(shops);
        assertThat(versions(topic + "-value")).hasSize(1);
    }

    /** Normalizing is not removing java properties: only avro.remove.java.properties finds a shop's plain schema. */
    @Test
    void shouldNotFindASchemaRegisteredWithoutJavaStringsByNormalizingAlone() throws Exception {
        String topic = topic();
        shopRegisters(topic + "-value", NewerSchemas.withoutJavaStrings(OrderEvent.getClassSchema()));

        assertThatThrownBy(() -> ConfluentWireSerdeIT.serializer(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, false, AvroSerdeConfig.NORMALIZE_SCHEMAS, true)
                .serialize(topic, Orders.paidOrder("o-n2")))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("not registered");
    }
}
