package io.fugou.serde.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fugou.events.common.Money;
import io.fugou.events.members.MemberEvent;
import io.fugou.events.orders.OrderEvent;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/**
 * A shop writes our order structure under its own namespace ({@code com.shop.events.orders.OrderEvent},
 * nested types included). The reader class then comes from the topic's contract, as Confluent's
 * {@code specific.avro.value.type} or our {@code avro.reader.types.by.topic}, not from the writer's name.
 */
class ReaderTypesIT {

    private static final Schema SHOP_ORDER_EVENT = NewerSchemas.inNamespace(OrderEvent.getClassSchema(), "io.fugou.events", "com.shop.events");

    private static String topic() {
        return "reader-types-" + UUID.randomUUID();
    }

    /** The order as the shop writes it: same structure and bytes, the shop's names. */
    private static byte[] writtenByShop(String topic, OrderEvent order) {
        GenericRecord asShop = NewerSchemas.asGeneric(order, SHOP_ORDER_EVENT);
        assertThat(asShop.getSchema().getFullName()).isEqualTo("com.shop.events.orders.OrderEvent");
        return ConfluentWireSerdeIT.serializer().serialize(topic, asShop);
    }

    @Test
    void shouldReadIntoTheConfiguredValueTypeWhateverTheWritersNamespace() {
        String topic = topic();
        OrderEvent order = Orders.paidOrder("o-shop-1");
        byte[] bytes = writtenByShop(topic, order);

        Object byClass = ConfluentWireSerdeIT.deserializer(AvroSerdeConfig.SPECIFIC_AVRO_READER, true,
                AvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE, OrderEvent.class).deserialize(topic, bytes);
        Object byName = ConfluentWireSerdeIT.deserializer(AvroSerdeConfig.SPECIFIC_AVRO_READER, "true",
                AvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE, OrderEvent.class.getName()).deserialize(topic, bytes);

        assertThat(byClass).isInstanceOf(OrderEvent.class).isEqualTo(order);
        assertThat(byName).isEqualTo(order);
    }

    @Test
    void shouldReadIntoTheTopicsContractClassBeforeTheGeneralValueType() {
        String topic = topic();
        OrderEvent order = Orders.paidOrder("o-shop-2");
        byte[] bytes = writtenByShop(topic, order);
        KafkaAvroDeserializer deserializer = ConfluentWireSerdeIT.deserializer(AvroSerdeConfig.SPECIFIC_AVRO_READER, true,
                AvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE, Money.class,
                AvroSerdeConfig.READER_TYPES_BY_TOPIC, "members.v1=" + MemberEvent.class.getName() + ", " + topic + "=" + OrderEvent.class.getName());
        KafkaAvroDeserializer fromMap = ConfluentWireSerdeIT.deserializer(AvroSerdeConfig.SPECIFIC_AVRO_READER, true,
                AvroSerdeConfig.READER_TYPES_BY_TOPIC, Map.of(topic, OrderEvent.class));

        assertThat(deserializer.deserialize(topic, bytes)).isEqualTo(order);
        assertThat(fromMap.deserialize(topic, bytes)).isEqualTo(order);
        assertThatThrownBy(() -> deserializer.deserialize("not-listed", bytes))
                .as("a topic not listed is read into specific.avro.value.type, here a class of another structure")
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("topic 'not-listed'")
                .hasMessageContaining("expecting io.fugou.events.common.Money, missing required field");
    }

    @Test
    void shouldFailClearlyWhenNoReaderTypeIsConfiguredForAForeignNamespace() {
        String topic = topic();
        byte[] bytes = writtenByShop(topic, Orders.paidOrder("o-shop-3"));

        assertThatThrownBy(() -> ConfluentWireSerdeIT.deserializer(AvroSerdeConfig.SPECIFIC_AVRO_READER, true).deserialize(topic, bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("topic '" + topic + "'")
                .hasMessageContaining("schema id ")
                .hasMessageContaining("no generated class com.shop.events.orders.OrderEvent")
                .hasMessageContaining(AvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE);
    }

    /** Same simple names count as the same event types across namespaces; a new simple name does not. */
    @Test
    void shouldStillHandOverAnUnknownEventForANewTypeInTheShopsNamespace() {
        String topic = topic();
        Schema shopWithNewType = NewerSchemas.withBranch(SHOP_ORDER_EVENT, "OrderEvent", "payload",
                "{\"type\":\"record\",\"name\":\"OrderCompleted\",\"fields\":[{\"name\":\"orderId\",\"type\":\"string\"}]}");
        GenericRecord event = NewerSchemas.asGeneric(Orders.paidOrder("o-shop-4"), shopWithNewType);
        GenericRecord completed = new org.apache.avro.generic.GenericData.Record(shopWithNewType.getField("payload").schema().getTypes().getLast());
        completed.put("orderId", "o-shop-4");
        event.put("payload", completed);
        KafkaAvroDeserializer deserializer = ConfluentWireSerdeIT.deserializer(AvroSerdeConfig.SPECIFIC_AVRO_READER, true,
                AvroSerdeConfig.READER_TYPES_BY_TOPIC, topic + "=" + OrderEvent.class.getName());
        writtenByShop(topic, Orders.paidOrder("o-shop-registered-first"));

        Object read = deserializer.deserialize(topic, ConfluentWireSerdeIT.serializer().serialize(topic, event));

        assertThat(read).isInstanceOf(UnknownEvent.class);
        assertThat(((UnknownEvent) read).unknownTypes()).containsExactly("com.shop.events.orders.OrderCompleted");
        assertThat(((UnknownEvent) read).writerSchemaName()).isEqualTo("com.shop.events.orders.OrderEvent");
    }
}
