package io.fugou.serde.avro;

import static org.assertj.core.api.Assertions.assertThat;

import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.fugou.infra.LocalSchemaRegistry;
import io.fugou.events.orders.OrderEvent;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * Cross-checks our bytes against a second, independent implementation of the same framing:
 * Apicurio's own Kafka serde, talking to the registry through its native API.
 */
class ApicurioCrossCheckIT {

    static {
        // Apicurio's deserializer instantiates generated classes through Avro too.
        System.setProperty("org.apache.avro.SERIALIZABLE_PACKAGES", "io.fugou.events");
    }



    private final LocalSchemaRegistry registry = TestRegistry.get();

    private Map<String, Object> ours() {
        return TestRegistry.config(AvroSerdeConfig.SPECIFIC_AVRO_READER, true);
    }

    private Map<String, Object> apicurios(boolean autoRegister) {
        Map<String, Object> config = new HashMap<>();
        config.put("apicurio.registry.url", "http://localhost:" + registry.port() + "/apis/registry/v3");
        config.put("apicurio.registry.auto-register", autoRegister);
        config.put("apicurio.registry.find-latest", !autoRegister);
        return config;
    }

    @Test
    void shouldWriteTheSameBytesAsApicuriosSerializerForTheSameRegisteredSchema() {
        String topic = "cross-check-" + UUID.randomUUID();
        OrderEvent order = Orders.paidOrder("o-cross");
        KafkaAvroSerializer ourSerializer = new KafkaAvroSerializer();
        ourSerializer.configure(ours(), false);
        try (AvroKafkaSerializer<OrderEvent> theirSerializer = new AvroKafkaSerializer<>()) {
            theirSerializer.configure(apicurios(false), false);

            byte[] ourBytes = ourSerializer.serialize(topic, order); // registers <topic>-value through the Confluent API
            byte[] theirBytes = theirSerializer.serialize(topic, order); // finds that version through Apicurio's own API

            assertThat(theirBytes).isEqualTo(ourBytes);
        }
    }

    /** Apicurio's serializer registers nested types as schema references; we must resolve them. */
    @Test
    void shouldReadWhatApicurioWritesWithSchemaReferencesAndTheReverse() {
        String topic = "cross-read-" + UUID.randomUUID();
        OrderEvent order = Orders.paidOrder("o-read");
        KafkaAvroSerializer ourSerializer = new KafkaAvroSerializer();
        ourSerializer.configure(ours(), false);
        KafkaAvroDeserializer ourDeserializer = new KafkaAvroDeserializer();
        ourDeserializer.configure(ours(), false);
        try (AvroKafkaSerializer<OrderEvent> theirSerializer = new AvroKafkaSerializer<>();
             AvroKafkaDeserializer<GenericRecord> theirDeserializer = new AvroKafkaDeserializer<>()) {
            theirSerializer.configure(apicurios(true), false);
            theirDeserializer.configure(apicurios(true), false);

            Object readByUs = ourDeserializer.deserialize(topic, theirSerializer.serialize(topic, order));
            GenericRecord readByThem = theirDeserializer.deserialize(topic, ourSerializer.serialize(topic, order));

            assertThat(readByUs).isEqualTo(order);
            assertThat(readByThem.get("eventId").toString()).isEqualTo(order.getEventId());
            assertThat(((GenericRecord) readByThem.get("payload")).get("orderId").toString()).isEqualTo("o-read");
        }
    }
}
