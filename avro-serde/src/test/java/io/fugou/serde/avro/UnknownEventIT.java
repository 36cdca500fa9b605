package io.fugou.serde.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fugou.events.common.Money;
import io.fugou.events.orders.OrderCancelled;
import io.fugou.events.orders.OrderEvent;
import io.fugou.events.orders.OrderPaid;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * A newer producer adds an event type (a union branch) our classes do not have yet. Avro alone would
 * read it as the first of our types that fits its structure (a new OrderCompleted as an
 * OrderCancelled, and loyalty would claw points back): the specific reader must hand over an
 * UnknownEvent instead, and keep reading the types it knows, from the same newer schema.
 */
class UnknownEventIT {

    private static final String ORDERS = "io.fugou.events.orders";
    /** What a shop on a later release writes: our OrderEvent plus an event type we do not know. */
    private static final Schema WITH_ORDER_COMPLETED = NewerSchemas.withBranch(OrderEvent.getClassSchema(), "OrderEvent", "payload",
            "{\"type\":\"record\",\"name\":\"OrderCompleted\",\"fields\":[{\"name\":\"orderId\",\"type\":\"string\"}]}");

    private static String topic() {
        return "unknown-event-" + UUID.randomUUID();
    }

    private static KafkaAvroDeserializer specificReader() {
        return ConfluentWireSerdeIT.deserializer(AvroSerdeConfig.SPECIFIC_AVRO_READER, true);
    }

    /** An envelope of the given schema carrying the payload; the current contract is registered first, as in production. */
    private static byte[] writtenByNewerShop(String topic, Schema schema, GenericRecord payload) {
        ConfluentWireSerdeIT.serializer().serialize(topic, Orders.paidOrder("o-registered-first"));
        GenericRecord event = new GenericData.Record(schema);
        event.put("eventId", "e-" + UUID.randomUUID());
        event.put("occurredAt", 1_767_225_600_000L);
        event.put("merchantId", "merchant-a");
        event.put("customerId", "buyer-1");
        event.put("payload", payload);
        return ConfluentWireSerdeIT.serializer().serialize(topic, event);
    }

    private static GenericRecord branch(Schema envelope, String name) {
        return new GenericData.Record(envelope.getField("payload").schema().getTypes().stream()
                .filter(type -> type.getName().equals(name)).findFirst().orElseThrow());
    }

    @Test
    void shouldHandOverAnUnknownEventInsteadOfReadingANewEventTypeAsAnotherOne() {
        String topic = topic();
        GenericRecord completed = branch(WITH_ORDER_COMPLETED, "OrderCompleted");
        completed.put("orderId", "o-completed");
        byte[] bytes = writtenByNewerShop(topic, WITH_ORDER_COMPLETED, completed);

        Object read = specificReader().deserialize(topic, bytes);

        assertThat(read).as("not an OrderEvent with some other payload").isInstanceOf(UnknownEvent.class);
        UnknownEvent unknown = (UnknownEvent) read;
        assertThat(unknown.unknownTypes()).containsExactly(ORDERS + ".OrderCompleted");
        assertThat(unknown.topic()).isEqualTo(topic);
        assertThat(unknown.schemaId()).isEqualTo(ByteBuffer.wrap(bytes, 1, 4).getInt());
        assertThat(unknown.writerSchemaName()).isEqualTo(ORDERS + ".OrderEvent");
        assertThat(String.valueOf(unknown.value().get("merchantId"))).isEqualTo("merchant-a");
        assertThat(String.valueOf(((GenericRecord) unknown.value().get("payload")).get("orderId"))).isEqualTo("o-completed");
        assertThat(unknown.toString()).doesNotContain("buyer-1");
    }

    @Test
    void shouldStillReadTheKnownEventTypesOfTheNewerSchemaIntoTheGeneratedClasses() {
        String topic = topic();
        GenericRecord cancelled = branch(WITH_ORDER_COMPLETED, "OrderCancelled");
        cancelled.put("orderId", "o-cancelled");
        cancelled.put("reason", "changed my mind");
        GenericRecord paid = NewerSchemas.asGeneric(Orders.paidOrder("o-paid"), WITH_ORDER_COMPLETED);
        KafkaAvroDeserializer reader = specificReader();

        Object readCancelled = reader.deserialize(topic, writtenByNewerShop(topic, WITH_ORDER_COMPLETED, cancelled));
        Object readPaid = reader.deserialize(topic, ConfluentWireSerdeIT.serializer().serialize(topic, paid));

        assertThat(readCancelled).isInstanceOf(OrderEvent.class);
        OrderCancelled payload = (OrderCancelled) ((OrderEvent) readCancelled).getPayload();
        assertThat(payload.getOrderId()).isEqualTo("o-cancelled");
        assertThat(payload.getReason()).isEqualTo("changed my mind");
        assertThat(((OrderPaid) ((OrderEvent) readPaid).getPayload()).getOrderId()).isEqualTo("o-paid");
    }

    /** The new type sits in a union inside an optional field of a record in an array of a union branch. */
    @Test
    void shouldHandOverAnUnknownEventForANewTypeNestedDeepInTheEnvelope() {
        String topic = topic();
        Schema withPointsDiscount = NewerSchemas.withBranch(OrderEvent.getClassSchema(), "OrderLine", "lineDiscount",
                "{\"type\":\"record\",\"name\":\"PointsDiscount\",\"fields\":[{\"name\":\"amountMinor\",\"type\":\"long\"},"
                        + "{\"name\":\"currency\",\"type\":\"string\"}]}");
        GenericRecord usesIt = NewerSchemas.asGeneric(Orders.paidOrder("o-points"), withPointsDiscount);
        GenericRecord line = firstLine(usesIt);
        GenericRecord pointsDiscount = new GenericData.Record(line.getSchema().getField("lineDiscount").schema().getTypes().get(2));
        pointsDiscount.put("amountMinor", 500L);
        pointsDiscount.put("currency", "PTS");
        line.put("lineDiscount", pointsDiscount);
        GenericRecord doesNotUseIt = NewerSchemas.asGeneric(Orders.paidOrder("o-money"), withPointsDiscount);
        firstLine(doesNotUseIt).put("lineDiscount", NewerSchemas.asGeneric(money(300), Money.getClassSchema()));
        ConfluentWireSerdeIT.serializer().serialize(topic, Orders.paidOrder("o-registered-first"));
        KafkaAvroDeserializer reader = specificReader();

        Object unknown = reader.deserialize(topic, ConfluentWireSerdeIT.serializer().serialize(topic, usesIt));
        Object known = reader.deserialize(topic, ConfluentWireSerdeIT.serializer().serialize(topic, doesNotUseIt));

        assertThat(unknown).as("not read as Money").isInstanceOf(UnknownEvent.class);
        assertThat(((UnknownEvent) unknown).unknownTypes()).containsExactly(ORDERS + ".PointsDiscount");
        assertThat(known).isInstanceOf(OrderEvent.class);
        assertThat(((OrderPaid) ((OrderEvent) known).getPayload()).getLines().getFirst().getLineDiscount()).isEqualTo(money(300));
    }

    /** Avro alone fails on a branch that fits none of ours; for the tolerant reader it is an unknown event like any other. */
    @Test
    void shouldHandOverAnUnknownEventForANewTypeThatFitsNoKnownOne() {
        String topic = topic();
        Schema withNoLookAlike = NewerSchemas.withBranch(OrderEvent.getClassSchema(), "OrderEvent", "payload",
                "{\"type\":\"record\",\"name\":\"OrderSplit\",\"fields\":[{\"name\":\"parentOrderId\",\"type\":\"string\"},"
                        + "{\"name\":\"childOrderIds\",\"type\":{\"type\":\"array\",\"items\":\"string\"}}]}");
        GenericRecord split = branch(withNoLookAlike, "OrderSplit");
        split.put("parentOrderId", "o-parent");
        split.put("childOrderIds", List.of("o-1", "o-2"));

        Object read = specificReader().deserialize(topic, writtenByNewerShop(topic, withNoLookAlike, split));

        assertThat(read).isInstanceOf(UnknownEvent.class);
        assertThat(((UnknownEvent) read).unknownTypes()).containsExactly(ORDERS + ".OrderSplit");
    }

    @Test
    void shouldReadAnyBranchWithTheWritersSchemaInGenericMode() {
        String topic = topic();
        GenericRecord completed = branch(WITH_ORDER_COMPLETED, "OrderCompleted");
        completed.put("orderId", "o-generic");

        Object read = ConfluentWireSerdeIT.deserializer().deserialize(topic, writtenByNewerShop(topic, WITH_ORDER_COMPLETED, completed));

        assertThat(read).isInstanceOf(GenericRecord.class).isNotInstanceOf(OrderEvent.class);
        assertThat(((GenericRecord) ((GenericRecord) read).get("payload")).getSchema().getFullName()).isEqualTo(ORDERS + ".OrderCompleted");
    }

    @Test
    void shouldThrowAnUnknownEventExceptionFromTheStreamsSerdeWhichCannotReturnOne() {
        String topic = topic();
        GenericRecord completed = branch(WITH_ORDER_COMPLETED, "OrderCompleted");
        completed.put("orderId", "o-streams");
        byte[] bytes = writtenByNewerShop(topic, WITH_ORDER_COMPLETED, completed);
        SpecificAvroSerde<OrderEvent> serde = new SpecificAvroSerde<>();
        serde.configure(ConfluentWireSerdeIT.config(), false);

        assertThatThrownBy(() -> serde.deserializer().deserialize(topic, bytes))
                .isInstanceOf(UnknownEventException.class)
                .hasMessageContaining("topic '" + topic + "'")
                .hasMessageContaining(ORDERS + ".OrderCompleted")
                .satisfies(e -> assertThat(((UnknownEventException) e).unknownEvent().unknownTypes()).containsExactly(ORDERS + ".OrderCompleted"));
    }

    private static GenericRecord firstLine(GenericRecord event) {
        @SuppressWarnings("unchecked")
        List<GenericRecord> lines = (List<GenericRecord>) ((GenericRecord) event.get("payload")).get("lines");
        return lines.getFirst();
    }

    private static Money money(long amountMinor) {
        return Money.newBuilder().setAmountMinor(amountMinor).setCurrency("CNY").build();
    }
}
