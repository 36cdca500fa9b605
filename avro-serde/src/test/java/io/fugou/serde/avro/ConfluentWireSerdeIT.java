package io.fugou.serde.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fugou.events.orders.OrderEvent;
import io.fugou.events.orders.OrderPaid;
import io.fugou.infra.LocalSchemaRegistry;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** The serde against a real registry speaking the Confluent API (Apicurio Registry's server). */
class ConfluentWireSerdeIT {

    private final ObjectMapper json = new ObjectMapper();


    private final LocalSchemaRegistry registry = TestRegistry.get();

    static Map<String, Object> config(Object... extra) {
        return TestRegistry.config(extra);
    }

    static KafkaAvroSerializer serializer(Object... extra) {
        KafkaAvroSerializer serializer = new KafkaAvroSerializer();
        serializer.configure(config(extra), false);
        return serializer;
    }

    static KafkaAvroDeserializer deserializer(Object... extra) {
        KafkaAvroDeserializer deserializer = new KafkaAvroDeserializer();
        deserializer.configure(config(extra), false);
        return deserializer;
    }

    private static String topic() {
        return "serde-test-" + UUID.randomUUID();
    }

    @Test
    void shouldWriteMagicByteThenTheRegistrysIdThenTheAvroBody() throws Exception {
        String topic = topic();
        OrderEvent order = Orders.paidOrder("o-1");

        byte[] bytes = serializer().serialize(topic, order);

        HttpResponse<String> latest = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(registry.url() + "/subjects/" + topic + "-value/versions/latest")).build(),
                HttpResponse.BodyHandlers.ofString());
        int registeredId = json.readTree(latest.body()).path("id").asInt();
        assertThat(bytes[0]).isEqualTo((byte) 0);
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(registeredId);
        GenericRecord body = new GenericDatumReader<GenericRecord>(OrderEvent.getClassSchema())
                .read(null, DecoderFactory.get().binaryDecoder(Arrays.copyOfRange(bytes, 5, bytes.length), null));
        assertThat(body.get("eventId").toString()).isEqualTo(order.getEventId());
        assertThat(((GenericRecord) body.get("payload")).get("orderId").toString()).isEqualTo("o-1");
    }

    @Test
    void shouldRoundTripSpecificRecords() {
        String topic = topic();
        OrderEvent order = Orders.paidOrder("o-2");

        Object read = deserializer(AvroSerdeConfig.SPECIFIC_AVRO_READER, true).deserialize(topic, serializer().serialize(topic, order));

        assertThat(read).isInstanceOf(OrderEvent.class).isEqualTo(order);
    }

    @Test
    void shouldRoundTripGenericRecords() {
        String topic = topic();
        Schema schema = new Schema.Parser().parse(
                "{\"type\":\"record\",\"name\":\"Visit\",\"namespace\":\"shop\",\"fields\":[{\"name\":\"page\",\"type\":\"string\"},{\"name\":\"seconds\",\"type\":\"int\"}]}");
        GenericRecord visit = new GenericData.Record(schema);
        visit.put("page", "home");
        visit.put("seconds", 42);

        GenericRecord read = (GenericRecord) deserializer().deserialize(topic, serializer().serialize(topic, visit));

        assertThat(read.get("page").toString()).isEqualTo("home");
        assertThat(read.get("seconds")).isEqualTo(42);
    }

    @Test
    void shouldFillDefaultsWhenAnOlderWriterIsReadByANewerReader() throws Exception {
        String topic = topic();
        Schema older;
        try (InputStream in = getClass().getResourceAsStream("/OrderEvent-v0.avsc")) {
            older = new Schema.Parser().parse(in);
        }
        GenericRecord money = new GenericData.Record(older.getField("payload").schema().getTypes().get(0).getField("total").schema());
        money.put("amountMinor", 1999L);
        money.put("currency", "CNY");
        Schema paidSchema = older.getField("payload").schema().getTypes().get(0);
        GenericRecord paid = new GenericData.Record(paidSchema);
        paid.put("orderId", "o-old");
        paid.put("lines", List.of());
        paid.put("total", money);
        GenericRecord event = new GenericData.Record(older);
        event.put("eventId", "e-old");
        event.put("occurredAt", Instant.parse("2026-01-01T00:00:00Z").toEpochMilli());
        event.put("merchantId", "merchant-a");
        event.put("customerId", "buyer-1");
        event.put("payload", paid);
        byte[] writtenByOldShop = serializer().serialize(topic, event);
        serializer().serialize(topic, Orders.paidOrder("o-new")); // the newer schema registers as version 2

        OrderEvent read = (OrderEvent) deserializer(AvroSerdeConfig.SPECIFIC_AVRO_READER, true).deserialize(topic, writtenByOldShop);

        OrderPaid readPaid = (OrderPaid) read.getPayload();
        assertThat(readPaid.getOrderId()).isEqualTo("o-old");
        assertThat(readPaid.getTotal().getAmountMinor()).isEqualTo(1999L);
        assertThat(readPaid.getCouponCodes()).isEmpty();
        assertThat(readPaid.getSalesChannel()).isNull();
        assertThat(readPaid.getDiscount()).isNull();
    }

    @Test
    void shouldRefuseASchemaThatIsIncompatibleWithTheRegisteredOne() {
        String topic = topic();
        Schema v1 = new Schema.Parser().parse(
                "{\"type\":\"record\",\"name\":\"Coupon\",\"namespace\":\"shop\",\"fields\":[{\"name\":\"code\",\"type\":\"string\"}]}");
        Schema v2 = new Schema.Parser().parse(
                "{\"type\":\"record\",\"name\":\"Coupon\",\"namespace\":\"shop\",\"fields\":[{\"name\":\"value\",\"type\":\"long\"}]}");
        GenericRecord first = new GenericData.Record(v1);
        first.put("code", "SAVE5");
        GenericRecord incompatible = new GenericData.Record(v2);
        incompatible.put("value", 500L);
        KafkaAvroSerializer serializer = serializer();
        serializer.serialize(topic, first);

        assertThatThrownBy(() -> serializer.serialize(topic, incompatible))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("topic '" + topic + "'")
                .hasMessageContaining("subject '" + topic + "-value'")
                .hasMessageContaining("not compatible");
    }

    @Test
    void shouldTellWhetherTheRegistryWouldAcceptASchema() {
        String subject = topic() + "-value";
        Schema v1 = new Schema.Parser().parse(
                "{\"type\":\"record\",\"name\":\"Tier\",\"namespace\":\"shop\",\"fields\":[{\"name\":\"code\",\"type\":\"string\"}]}");
        Schema withOptionalField = new Schema.Parser().parse(
                "{\"type\":\"record\",\"name\":\"Tier\",\"namespace\":\"shop\",\"fields\":[{\"name\":\"code\",\"type\":\"string\"},"
                        + "{\"name\":\"rank\",\"type\":\"int\",\"default\":0}]}");
        Schema withRequiredField = new Schema.Parser().parse(
                "{\"type\":\"record\",\"name\":\"Tier\",\"namespace\":\"shop\",\"fields\":[{\"name\":\"code\",\"type\":\"string\"},"
                        + "{\"name\":\"rank\",\"type\":\"int\"}]}");
        SchemaRegistryClient client = new SchemaRegistryClient(AvroSerdeConfig.from(config()));

        assertThat(client.isCompatible(subject, withRequiredField)).as("nothing registered yet").isTrue();
        client.register(subject, v1);
        assertThat(client.isCompatible(subject, withOptionalField)).isTrue();
        assertThat(client.isCompatible(subject, withRequiredField)).isFalse();
    }

    @Test
    void shouldNotRegisterWhenAutoRegisterIsOff() {
        String topic = topic();

        assertThatThrownBy(() -> serializer(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, false).serialize(topic, Orders.paidOrder("o-3")))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("auto.register.schemas is false");

        byte[] afterRegistration = serializer().serialize(topic, Orders.paidOrder("o-4"));
        byte[] lookedUp = serializer(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, false).serialize(topic, Orders.paidOrder("o-4"));
        assertThat(Arrays.copyOfRange(lookedUp, 0, 5)).isEqualTo(Arrays.copyOfRange(afterRegistration, 0, 5));
    }

    @Test
    void shouldWriteWithTheLatestRegisteredSchemaWhenAsked() {
        String topic = topic();
        byte[] registered = serializer().serialize(topic, Orders.paidOrder("o-5"));

        byte[] latest = serializer(AvroSerdeConfig.USE_LATEST_VERSION, true, AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, false)
                .serialize(topic, Orders.paidOrder("o-6"));

        assertThat(ByteBuffer.wrap(latest, 1, 4).getInt()).isEqualTo(ByteBuffer.wrap(registered, 1, 4).getInt());
    }

    @Test
    void shouldNameSubjectsByRecordWithRecordNameStrategy() throws Exception {
        String topic = topic();
        serializer(AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY, "io.confluent.kafka.serializers.subject.RecordNameStrategy")
                .serialize(topic, Orders.paidOrder("o-7"));

        HttpResponse<String> subjects = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(registry.url() + "/subjects")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(subjects.body()).contains("\"io.fugou.events.orders.OrderEvent\"").doesNotContain(topic);
    }

    @Test
    void shouldNameTopicAndSchemaIdWhenTheIdIsUnknown() {
        String topic = topic();
        byte[] unknownId = ByteBuffer.allocate(9).put((byte) 0).putInt(987_654).putInt(0).array();

        assertThatThrownBy(() -> deserializer().deserialize(topic, unknownId))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("topic '" + topic + "'")
                .hasMessageContaining("schema id 987654 is not known to the registry");
    }

    @Test
    void shouldRefuseBytesThatAreNotTheWireFormat() {
        byte[] garbage = "{\"orderId\":\"o-8\"}".getBytes();

        assertThatThrownBy(() -> deserializer().deserialize("commerce.orders.v1", garbage))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Unknown magic byte")
                .hasMessageContaining("topic 'commerce.orders.v1'");
    }

    @Test
    void shouldReadBackTombstonesAsNull() {
        assertThat(serializer().serialize("t", null)).isNull();
        assertThat(deserializer().deserialize("t", null)).isNull();
    }

    @Test
    void shouldRetryAndThenNameTheRegistryThatCouldNotBeReached() {
        Map<String, Object> unreachable = config(AvroSerdeConfig.SCHEMA_REGISTRY_URL, "http://localhost:1", AvroSerdeConfig.MAX_RETRIES, 1,
                AvroSerdeConfig.RETRIES_WAIT_MS, 10);
        KafkaAvroSerializer serializer = new KafkaAvroSerializer();
        serializer.configure(unreachable, false);

        assertThatThrownBy(() -> serializer.serialize("commerce.orders.v1", Orders.paidOrder("o-9")))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("subject 'commerce.orders.v1-value'")
                .hasMessageContaining("http://localhost:1")
                .hasMessageContaining("unreachable");
    }

    @Test
    void shouldRoundTripThroughTheStreamsSerde() {
        String topic = topic();
        SpecificAvroSerde<OrderEvent> serde = new SpecificAvroSerde<>();
        serde.configure(config(), false);
        OrderEvent order = Orders.paidOrder("o-10");

        assertThat(serde.deserializer().deserialize(topic, serde.serializer().serialize(topic, order))).isEqualTo(order);
    }

    @Test
    void shouldReadGenericRecordsThroughTheGenericStreamsSerdeEvenWhenTheClassExists() {
        String topic = topic();
        SpecificAvroSerde<OrderEvent> writer = new SpecificAvroSerde<>();
        writer.configure(config(), false);
        GenericAvroSerde reader = new GenericAvroSerde();
        reader.configure(config(), false);
        OrderEvent order = Orders.paidOrder("o-11");

        GenericRecord read = reader.deserializer().deserialize(topic, writer.serializer().serialize(topic, order));

        assertThat(read).isNotInstanceOf(OrderEvent.class);
        assertThat(read.get("eventId").toString()).isEqualTo(order.getEventId());
    }
}
