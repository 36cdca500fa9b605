package io.fugou.loyalty;

import static org.assertj.core.api.Assertions.assertThat;

import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.events.orders.OrderEvent;
import io.fugou.events.points.PointsEarned;
import io.fugou.events.points.PointsEvent;
import io.fugou.serde.avro.AvroSerdeConfig;
import io.fugou.serde.avro.KafkaAvroSerializer;
import io.fugou.testsupport.KafkaTestClient;
import io.fugou.testsupport.OrderEventMother;
import io.fugou.testsupport.TestInfrastructure;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A shop set up the way Confluent's serializer is usually run against a shared registry: it never
 * registers schemas and writes with the subject's latest version ({@code auto.register.schemas=false},
 * {@code use.latest.version=true}), and reads {@code fugou.points.v1} read_committed with the
 * Confluent-wire deserializer. Confluent's own jar is not reachable from here (shared/STACK.md); ours
 * takes the same keys and writes the same bytes (avro-serde's ConfluentParityIT).
 */
@LoyaltyIntegrationTest
class ConfluentShopIT {

    private final KafkaTestClient reader = new KafkaTestClient();

    @Test
    void shouldReadOnePointsEarnedPerOrderWrittenWithTheRegistrysLatestSchemaEvenWhenAnOrderIsSentTwice() throws Exception {
        TestInfrastructure infrastructure = TestInfrastructure.get();
        MemberKey member = new MemberKey("merchant-" + UUID.randomUUID().toString().substring(0, 8), "confluent-shop-buyer");
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure.bootstrapServers(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                AvroSerdeConfig.SCHEMA_REGISTRY_URL, infrastructure.schemaRegistryUrl(),
                AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, false,
                AvroSerdeConfig.USE_LATEST_VERSION, true);
        KafkaAvroSerializer serializer = new KafkaAvroSerializer();
        serializer.configure(config, false);
        List<String> orders = List.of("cf-1", "cf-2", "cf-3");
        try (KafkaProducer<String, Object> shop = new KafkaProducer<>(config, new StringSerializer(), serializer)) {
            for (String order : orders) {
                OrderEvent paid = OrderEventMother.paid(member.merchantId(), member.customerId(), order);
                shop.send(new ProducerRecord<>(Topics.ORDERS.name(), member.toString(), paid)).get();
                if (order.equals("cf-2")) {
                    shop.send(new ProducerRecord<>(Topics.ORDERS.name(), member.toString(), paid)).get(); // the shop's retry
                }
            }
        }

        List<PointsEvent> events = reader.awaitEvents(Topics.POINTS, member, orders.size(), Duration.ofSeconds(30));

        assertThat(events).extracting(event -> ((PointsEarned) event.getPayload()).getOrderId()).containsExactlyElementsOf(orders);
        assertThat(events).extracting(PointsEvent::getSequence).containsExactly(1L, 2L, 3L);
    }
}
