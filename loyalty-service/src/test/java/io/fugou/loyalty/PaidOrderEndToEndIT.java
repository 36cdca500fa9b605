package io.fugou.loyalty;

import io.fugou.events.points.PointsEarned;
import io.fugou.events.points.PointsEvent;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.platform.security.LocalTokens;
import io.fugou.testsupport.KafkaTestClient;
import io.fugou.testsupport.OrderEventMother;
import io.fugou.testsupport.TestTokens;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The walking skeleton end to end: a shop publishes OrderPaid with the Confluent-wire serde to the
 * real broker, loyalty-service consumes it and serves it over HTTP to that merchant only.
 */
@LoyaltyIntegrationTest
class PaidOrderEndToEndIT {

    private static final Duration ARRIVAL = Duration.ofSeconds(30);

    @Autowired
    private WebTestClient web;

    @Autowired
    private LocalTokens localTokens;

    private final KafkaTestClient shop = new KafkaTestClient();

    private TestTokens tokens() {
        return new TestTokens(localTokens);
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void shouldServeAPaidOrderPublishedByTheShopToItsMerchant() {
        String order = unique("order");
        shop.publish(Topics.ORDERS, new MemberKey("merchant-a", "buyer-1"), OrderEventMother.paid("merchant-a", "buyer-1", order));
        String token = tokens().forMerchant("merchant-a", "loyalty:read");

        await().atMost(ARRIVAL).untilAsserted(() -> web.get().uri("/api/v1/paid-orders/{id}", order)
                .headers(h -> h.setBearerAuth(token)).exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.orderId").isEqualTo(order)
                .jsonPath("$.customerId").isEqualTo("buyer-1")
                .jsonPath("$.total.amountMinor").isEqualTo(25_800)
                .jsonPath("$.total.currency").isEqualTo("CNY"));
    }

    @Test
    void shouldNeverShowOneMerchantsOrderToAnother() {
        String order = unique("order");
        shop.publish(Topics.ORDERS, new MemberKey("merchant-a", "buyer-2"), OrderEventMother.paid("merchant-a", "buyer-2", order));
        String merchantA = tokens().forMerchant("merchant-a", "loyalty:read");
        String merchantB = tokens().forMerchant("merchant-b", "loyalty:read");
        await().atMost(ARRIVAL).untilAsserted(() -> web.get().uri("/api/v1/paid-orders/{id}", order)
                .headers(h -> h.setBearerAuth(merchantA)).exchange().expectStatus().isOk());

        web.get().uri("/api/v1/paid-orders/{id}", order).headers(h -> h.setBearerAuth(merchantB)).exchange()
                .expectStatus().isNotFound()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.status").isEqualTo(404);
    }

    @Test
    void shouldRecordAnOrderOnceWhenTheShopPublishesItTwice() {
        String order = unique("order");
        var first = OrderEventMother.paid("merchant-a", "buyer-3", order);
        var again = OrderEventMother.paid("merchant-a", "buyer-3", order, java.util.List.of(OrderEventMother.line("OTHER", "misc", 1, 1)));
        shop.publish(Topics.ORDERS, new MemberKey("merchant-a", "buyer-3"), first);
        shop.publish(Topics.ORDERS, new MemberKey("merchant-a", "buyer-3"), again);
        String marker = unique("marker");
        shop.publish(Topics.ORDERS, new MemberKey("merchant-a", "buyer-3"), OrderEventMother.paid("merchant-a", "buyer-3", marker));
        String token = tokens().forMerchant("merchant-a", "loyalty:read");

        // Same key, same partition: once the later marker is visible, both copies were processed.
        await().atMost(ARRIVAL).untilAsserted(() -> web.get().uri("/api/v1/paid-orders/{id}", marker)
                .headers(h -> h.setBearerAuth(token)).exchange().expectStatus().isOk());
        web.get().uri("/api/v1/paid-orders/{id}", order).headers(h -> h.setBearerAuth(token)).exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.total.amountMinor").isEqualTo(25_800).jsonPath("$.lineCount").isEqualTo(1);
    }

    @Test
    void shouldEarnPointsOncePerOrderAndPublishEachEntryOnceWithBalanceAndSequence() {
        MemberKey member = new MemberKey("merchant-a", unique("buyer"));
        String first = unique("order");
        String second = unique("order");
        shop.publish(Topics.ORDERS, member, OrderEventMother.paid(member.merchantId(), member.customerId(), first));
        shop.publish(Topics.ORDERS, member, OrderEventMother.paid(member.merchantId(), member.customerId(), first)); // sent twice
        shop.publish(Topics.ORDERS, member, OrderEventMother.paid(member.merchantId(), member.customerId(), second));

        List<PointsEvent> events = shop.awaitEvents(Topics.POINTS, member, 2, ARRIVAL);

        assertThat(events).extracting(PointsEvent::getSequence).containsExactly(1L, 2L);
        assertThat(events).extracting(event -> ((PointsEarned) event.getPayload()).getOrderId()).containsExactly(first, second);
        // 258.00 CNY each: 258 points at the default rate, pending through the default seven-day return window.
        assertThat(events).extracting(event -> ((PointsEarned) event.getPayload()).getPoints()).containsExactly(258L, 258L);
        assertThat(events).extracting(event -> ((PointsEarned) event.getPayload()).getPendingAfter()).containsExactly(258L, 516L);
        assertThat(events).extracting(event -> ((PointsEarned) event.getPayload()).getBalanceAfter()).containsExactly(0L, 0L);
        assertThat(events).allSatisfy(event -> assertThat(((PointsEarned) event.getPayload()).getAvailableAt()).isAfter(event.getOccurredAt()));
        assertThat(events).extracting(PointsEvent::getEventId).doesNotHaveDuplicates();
    }

    /**
     * Another writer (say, the instance a partition just moved from) records an order after the batch read which of its
     * orders are known and before it inserts them. The batch's insert meets the order's key; the batch is applied again one
     * order at a time, where the order is known and counts as a copy: it earns nothing here, is not dead-lettered, and the
     * member's next order earns as usual.
     */
    @Test
    void shouldCountAnOrderAnotherWriterRecordedDuringTheBatchOnceAndGoOn() throws Exception {
        MemberKey member = new MemberKey("merchant-a", unique("buyer"));
        String raced = unique("raced");
        String next = unique("next");
        try (Connection otherWriter = BlockedSessions.connect()) {
            otherWriter.setAutoCommit(false);
            try (PreparedStatement insert = otherWriter.prepareStatement("""
                    insert into paid_order (merchant_id, order_id, customer_id, event_id, total_minor, currency, line_count, paid_at)
                    values (?, ?, ?, 'the-other-writer', 25800, 'CNY', 1, now())""")) {
                insert.setString(1, member.merchantId());
                insert.setString(2, raced);
                insert.setString(3, member.customerId());
                insert.executeUpdate();
            }
            shop.publish(Topics.ORDERS, member, OrderEventMother.paid(member.merchantId(), member.customerId(), raced));
            // Not committed yet, so the batch read the order as unknown; its insert now waits for this transaction.
            BlockedSessions.awaitBlockedBy(otherWriter);
            otherWriter.commit();
        }
        shop.publish(Topics.ORDERS, member, OrderEventMother.paid(member.merchantId(), member.customerId(), next));

        List<PointsEvent> events = shop.awaitEvents(Topics.POINTS, member, 1, ARRIVAL);
        assertThat(events).extracting(event -> ((PointsEarned) event.getPayload()).getOrderId()).containsExactly(next);
        assertThat(events).extracting(PointsEvent::getSequence).containsExactly(1L);
        assertThat(((PointsEarned) events.get(0).getPayload()).getPendingAfter()).isEqualTo(258L);
        assertThatThrownBy(() -> shop.awaitRecord(Topics.ORDERS.deadLetterTopic(), record -> member.toString().equals(record.key()),
                Duration.ofSeconds(3))).isInstanceOf(AssertionError.class);
    }

    @Test
    void shouldRefuseATokenWithoutTheLoyaltyReadScope() {
        String token = tokens().forMerchant("merchant-a", "members:read");

        web.get().uri("/api/v1/paid-orders/{id}", "any").headers(h -> h.setBearerAuth(token)).exchange()
                .expectStatus().isForbidden()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @Test
    void shouldDeadLetterAnOrderThatBreaksARuleAndKeepItsAvroValue() {
        String order = unique("bad-currency");
        var paid = OrderEventMother.paid("merchant-a", "buyer-5", order);
        ((io.fugou.events.orders.OrderPaid) paid.getPayload()).getTotal().setCurrency("YUAN");
        shop.publish(Topics.ORDERS, new MemberKey("merchant-a", "buyer-5"), paid);

        ConsumerRecord<String, byte[]> deadLetter = shop.awaitRecord(Topics.ORDERS.deadLetterTopic(),
                record -> "merchant-a:buyer-5".equals(record.key()), ARRIVAL);

        assertThat(deadLetter.value()[0]).as("Confluent wire format magic byte").isEqualTo((byte) 0);
        assertThat(KafkaTestClient.header(deadLetter, "fugou_dlt-reason"))
                .contains("OrderPaid " + order).contains("ISO-4217").contains("'YUAN'");
        String token = tokens().forMerchant("merchant-a", "loyalty:read");
        web.get().uri("/api/v1/paid-orders/{id}", order).headers(h -> h.setBearerAuth(token)).exchange()
                .expectStatus().isNotFound();
    }

    @Test
    void shouldDeadLetterAnUnreadableRecordWithTheReasonAndGoOn() {
        String badKey = "merchant-a:" + unique("garbage");
        shop.publishBytes(Topics.ORDERS.name(), badKey, "{\"orderId\":\"not avro\"}".getBytes());
        String order = unique("after-garbage");
        shop.publish(Topics.ORDERS, new MemberKey("merchant-a", "buyer-4"), OrderEventMother.paid("merchant-a", "buyer-4", order));

        ConsumerRecord<String, byte[]> deadLetter = shop.awaitRecord(Topics.ORDERS.deadLetterTopic(),
                record -> badKey.equals(record.key()), ARRIVAL);

        assertThat(new String(deadLetter.value())).isEqualTo("{\"orderId\":\"not avro\"}");
        assertThat(KafkaTestClient.header(deadLetter, "kafka_dlt-exception-fqcn")).endsWith("DeserializationException");
        assertThat(KafkaTestClient.header(deadLetter, "fugou_dlt-reason"))
                .contains("Unknown magic byte").contains("topic '" + Topics.ORDERS.name() + "'");
        assertThat(KafkaTestClient.header(deadLetter, "kafka_dlt-original-topic")).isEqualTo(Topics.ORDERS.name());
        String token = tokens().forMerchant("merchant-a", "loyalty:read");
        await().atMost(ARRIVAL).untilAsserted(() -> web.get().uri("/api/v1/paid-orders/{id}", order)
                .headers(h -> h.setBearerAuth(token)).exchange().expectStatus().isOk());
    }
}
