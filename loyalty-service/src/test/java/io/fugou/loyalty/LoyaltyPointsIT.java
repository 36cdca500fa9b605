package io.fugou.loyalty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.events.members.MemberEvent;
import io.fugou.events.members.MemberTierChanged;
import io.fugou.events.members.TierChangeDirection;
import io.fugou.events.orders.OrderEvent;
import io.fugou.events.orders.OrderPaid;
import io.fugou.events.points.PointsAvailable;
import io.fugou.events.points.PointsEarned;
import io.fugou.events.points.PointsEvent;
import io.fugou.events.points.PointsReversed;
import io.fugou.loyalty.points.PendingPointsRelease;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.security.LocalTokens;
import io.fugou.testsupport.KafkaTestClient;
import io.fugou.testsupport.MovableClock;
import io.fugou.testsupport.OrderEventMother;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * The points ledger end to end: orders published by a shop to the real broker, scored by the merchant's
 * rules of their time, pending through the return window, refunds taking back what they earned, and
 * the balances over HTTP to that merchant only.
 */
@LoyaltyIntegrationTest
class LoyaltyPointsIT {

    private static final Duration ARRIVAL = Duration.ofSeconds(30);
    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

    @Autowired
    private WebTestClient web;

    @Autowired
    private LocalTokens localTokens;

    @Autowired
    private MovableClock clock;

    @Autowired
    private PendingPointsRelease release;

    @Autowired
    private ReactiveTransactionManager transactions;

    @Autowired
    private DatabaseClient db;

    private final KafkaTestClient shop = new KafkaTestClient();

    private LoyaltyApi api;

    @BeforeEach
    void client() {
        api = new LoyaltyApi(web, localTokens);
    }

    private void awaitPoints(MemberKey member, long available, long pending, long lifetime) {
        await().atMost(ARRIVAL).untilAsserted(() -> assertThat(api.points(member))
                .containsEntry("available", (int) available).containsEntry("pending", (int) pending).containsEntry("lifetime", (int) lifetime));
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> entries(MemberKey member) {
        Map<String, Object> page = web.get().uri("/api/v1/members/{customer}/points/entries", member.customerId())
                .headers(h -> h.setBearerAuth(api.token(member.merchantId(), "loyalty:read"))).exchange()
                .expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody();
        return (List<Map<String, Object>>) page.get("items");
    }

    @Test
    void shouldEarnOnceFromAnOrderDeliveredFiveTimes() {
        MemberKey member = new MemberKey(LoyaltyApi.unique("merchant"), "buyer");
        OrderEvent paid = LoyaltyApi.paidAt(member, "order-1", clock.instant());
        for (int i = 0; i < 5; i++) {
            shop.publish(Topics.ORDERS, member, paid);
        }
        shop.publish(Topics.ORDERS, member, LoyaltyApi.paidAt(member, "order-2", clock.instant()));

        List<PointsEvent> events = shop.awaitEvents(Topics.POINTS, member, 2, ARRIVAL);

        assertThat(events).extracting(event -> ((PointsEarned) event.getPayload()).getOrderId()).containsExactly("order-1", "order-2");
        awaitPoints(member, 0, 516, 516);
        assertThat(entries(member)).extracting(entry -> entry.get("entryId")).containsExactly("order:order-2", "order:order-1");
    }

    @Test
    void shouldScoreALateOrderByTheRulesAndTheTierOfItsOwnTime() {
        MemberKey member = new MemberKey(LoyaltyApi.unique("merchant"), "buyer");
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Instant later = now.plus(Duration.ofHours(2));
        int memberDay = later.atZone(SHANGHAI).getDayOfMonth();
        api.addRules(member.merchantId(), now, """
                {"returnWindowDays": 0, "tierMultipliers": [{"tier": "gold", "percent": 150}]}""");
        api.addRules(member.merchantId(), now.plus(Duration.ofHours(1)), """
                {"returnWindowDays": 0, "baseRates": [{"currency": "CNY", "points": 2, "per": 100}],
                 "tierMultipliers": [{"tier": "gold", "percent": 150}], "memberDays": [{"dayOfMonth": %d, "percent": 300}]}"""
                .formatted(memberDay));
        shop.publish(Topics.MEMBERS, member, MemberEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString()).setOccurredAt(now.minus(Duration.ofDays(1)))
                .setMerchantId(member.merchantId()).setCustomerId(member.customerId())
                .setPayload(MemberTierChanged.newBuilder().setFromTier("silver").setToTier("gold").setDirection(TierChangeDirection.UPGRADE)
                        .setGrowthScore(1_200).build())
                .build());
        await().atMost(ARRIVAL).until(() -> db.sql("select count(*) from member_tier where merchant_id = :m")
                .bind("m", member.merchantId()).map(row -> row.get(0, Long.class)).one().block() == 1L);

        // All three arrive now, in this order; each is scored by its own time.
        shop.publish(Topics.ORDERS, member, LoyaltyApi.paidAt(member, "before-rules-and-tier", now.minus(Duration.ofDays(2))));
        shop.publish(Topics.ORDERS, member, LoyaltyApi.paidAt(member, "first-version", now.plus(Duration.ofMinutes(30))));
        shop.publish(Topics.ORDERS, member, LoyaltyApi.paidAt(member, "second-version", later));

        List<PointsEarned> earned = shop.awaitEvents(Topics.POINTS, member, 3, ARRIVAL).stream()
                .map(event -> (PointsEarned) event.getPayload()).toList();

        // 258.00 paid each: the defaults (1 per yuan); version 1 for gold (×1.5); version 2 (2 per yuan) for gold on the member day (×3).
        assertThat(earned).extracting(PointsEarned::getPoints).containsExactly(258L, 387L, 2_322L);
        assertThat(earned.get(0).getRuleIds()).containsExactly("rules-v0", "base-rate:CNY");
        assertThat(earned.get(1).getRuleIds()).containsExactly("rules-v1", "base-rate:CNY", "tier:gold");
        assertThat(earned.get(2).getRuleIds()).containsExactly("rules-v2", "base-rate:CNY", "tier:gold", "member-day:day-" + memberDay);
        awaitPoints(member, 387 + 2_322, 258, 258 + 387 + 2_322);
    }

    @Test
    void shouldCapAMembersPointsPerDayAcrossOrdersAndBatchesCountingWhatWasGrantedNotClaimed() {
        MemberKey member = new MemberKey(LoyaltyApi.unique("merchant"), "buyer");
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        LocalDate tomorrow = now.atZone(SHANGHAI).toLocalDate().plusDays(1);
        java.util.function.IntFunction<Instant> tomorrowAt = hour -> tomorrow.atStartOfDay(SHANGHAI).plusHours(hour).toInstant();
        api.addRules(member.merchantId(), now, """
                {"returnWindowDays": 0, "caps": {"perMemberPerDay": 600}}""");
        api.addRules(member.merchantId(), tomorrowAt.apply(14), """
                {"returnWindowDays": 0, "caps": {"perMemberPerDay": 1000}}""");

        // Each order earns 258 points uncapped. Three on one day, together: the third gets what is left of 600.
        for (int hour = 10; hour <= 12; hour++) {
            shop.publish(Topics.ORDERS, member, LoyaltyApi.paidAt(member, "at-" + hour, tomorrowAt.apply(hour)));
        }
        shop.awaitEvents(Topics.POINTS, member, 3, ARRIVAL);
        // Later the same day, under a cap raised to 1000: 600 were granted so far (not the 774 claimed), so 258, then 142. The
        // next day starts again.
        shop.publish(Topics.ORDERS, member, LoyaltyApi.paidAt(member, "at-15", tomorrowAt.apply(15)));
        shop.publish(Topics.ORDERS, member, LoyaltyApi.paidAt(member, "at-16", tomorrowAt.apply(16)));
        shop.publish(Topics.ORDERS, member, LoyaltyApi.paidAt(member, "next-day", tomorrowAt.apply(34)));

        List<PointsEarned> earned = shop.awaitEvents(Topics.POINTS, member, 6, ARRIVAL).stream()
                .map(event -> (PointsEarned) event.getPayload()).toList();

        assertThat(earned).extracting(PointsEarned::getOrderId).containsExactly("at-10", "at-11", "at-12", "at-15", "at-16", "next-day");
        assertThat(earned).extracting(PointsEarned::getPoints).containsExactly(258L, 258L, 84L, 258L, 142L, 258L);
        assertThat(earned.get(2).getRuleIds()).contains("cap:per-member-per-day");
        assertThat(earned.get(3).getRuleIds()).doesNotContain("cap:per-member-per-day");
        assertThat(earned.get(4).getRuleIds()).contains("cap:per-member-per-day");
        awaitPoints(member, 1_258, 0, 1_258);
    }

    @Test
    void shouldTakeBackWhatARefundedLineEarnedOnceAndTheRestOnCancellation() {
        MemberKey member = new MemberKey(LoyaltyApi.unique("merchant"), "buyer");
        api.addRules(member.merchantId(), null, "{\"returnWindowDays\": 0}");
        OrderEvent paid = OrderEventMother.paid(member.merchantId(), member.customerId(), "order-1", List.of(
                OrderEventMother.line("BEER-101", "drinks/beer", 2, 12_900), OrderEventMother.line("SNACK-7", "snacks", 1, 5_000)));
        OrderPaid order = (OrderPaid) paid.getPayload();
        OrderEvent refund = OrderEventMother.refunded(member.merchantId(), member.customerId(), "order-1",
                List.of(OrderEventMother.refundedLine(order.getLines().get(0), 1)));
        shop.publish(Topics.ORDERS, member, paid);
        shop.publish(Topics.ORDERS, member, refund);
        shop.publish(Topics.ORDERS, member, refund); // the shop sends it again
        awaitPoints(member, 179, 0, 179);

        shop.publish(Topics.ORDERS, member, OrderEventMother.cancelled(member.merchantId(), member.customerId(), "order-1"));

        List<PointsEvent> events = shop.awaitEvents(Topics.POINTS, member, 3, ARRIVAL);
        assertThat(events).extracting(PointsEvent::getSequence).containsExactly(1L, 2L, 3L);
        assertThat(((PointsEarned) events.get(0).getPayload()).getPoints()).isEqualTo(308);
        PointsReversed refunded = (PointsReversed) events.get(1).getPayload();
        assertThat(refunded.getPoints()).as("one of two bottles: half of the beer's 258").isEqualTo(129);
        assertThat(refunded.getRefundId()).isEqualTo(((io.fugou.events.orders.OrderRefunded) refund.getPayload()).getRefundId());
        assertThat(refunded.getBalanceAfter()).isEqualTo(179);
        PointsReversed cancelled = (PointsReversed) events.get(2).getPayload();
        assertThat(cancelled.getPoints()).isEqualTo(179);
        assertThat(cancelled.getRefundId()).isNull();
        assertThat(cancelled.getBalanceAfter()).isZero();
        awaitPoints(member, 0, 0, 0);
        web.get().uri("/api/v1/paid-orders/{id}", "order-1").headers(h -> h.setBearerAuth(api.token(member.merchantId(), "loyalty:read")))
                .exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.points").isEqualTo(308)
                .jsonPath("$.reversedPoints").isEqualTo(308)
                .jsonPath("$.lines[0].refundedQuantity").isEqualTo(2);
    }

    @Test
    void shouldMakePendingPointsAvailableOnceTheReturnWindowHasPassed() {
        MemberKey member = new MemberKey(LoyaltyApi.unique("merchant"), "buyer");
        shop.publish(Topics.ORDERS, member, LoyaltyApi.paidAt(member, "order-1", clock.instant()));
        PointsEarned earned = (PointsEarned) shop.awaitEvents(Topics.POINTS, member, 1, ARRIVAL).get(0).getPayload();
        assertThat(earned.getAvailableAt()).as("the start of the 8th day after payment in Shanghai")
                .isEqualTo(clock.instant().atZone(SHANGHAI).toLocalDate().plusDays(8).atStartOfDay(SHANGHAI).toInstant());
        awaitPoints(member, 0, 258, 258);
        try {
            clock.set(earned.getAvailableAt().plus(Duration.ofHours(1)));

            awaitPoints(member, 258, 0, 258);
            List<PointsEvent> events = shop.awaitEvents(Topics.POINTS, member, 2, ARRIVAL);
            assertThat(events).extracting(PointsEvent::getSequence).containsExactly(1L, 2L);
            PointsAvailable available = (PointsAvailable) events.get(1).getPayload();
            assertThat(available.getPoints()).isEqualTo(258);
            assertThat(available.getBalanceAfter()).isEqualTo(258);
            assertThat(available.getPendingAfter()).isZero();

            TransactionalOperator.create(transactions).transactional(release.releaseDue(new MerchantId(member.merchantId()))).block();
            assertThat(entries(member)).as("run again, the job releases nothing twice").hasSize(2);
            assertThat(api.points(member)).containsEntry("available", 258);
        } finally {
            clock.set(Instant.now());
        }
    }

    @Test
    void shouldCountTheReturnWindowFromReceiptWhenTheMerchantSaysSoAndOtherwiseOnlyMoveItLater() {
        MemberKey fromReceipt = new MemberKey(LoyaltyApi.unique("merchant"), "buyer");
        MemberKey fromPayment = new MemberKey(LoyaltyApi.unique("merchant"), "buyer");
        api.addRules(fromReceipt.merchantId(), null, "{\"returnWindowFrom\": \"RECEIPT\", \"returnWindowDays\": 7, \"receiptWaitDays\": 30}");
        Instant paid = clock.instant();
        LocalDate paidDay = paid.atZone(SHANGHAI).toLocalDate();
        for (MemberKey member : List.of(fromReceipt, fromPayment)) {
            shop.publish(Topics.ORDERS, member, LoyaltyApi.paidAt(member, "order-1", paid));
        }
        PointsEarned provisional = (PointsEarned) shop.awaitEvents(Topics.POINTS, fromReceipt, 1, ARRIVAL).get(0).getPayload();
        assertThat(provisional.getAvailableAt()).as("waits up to 30 days for a receipt, then 7 more")
                .isEqualTo(paidDay.plusDays(38).atStartOfDay(SHANGHAI).toInstant());

        for (MemberKey member : List.of(fromReceipt, fromPayment)) {
            OrderEvent received = OrderEventMother.fulfilled(member.merchantId(), member.customerId(), "order-1");
            received.setOccurredAt(paid.plus(Duration.ofDays(2)).truncatedTo(ChronoUnit.MILLIS));
            shop.publish(Topics.ORDERS, member, received);
        }

        Instant fromTheReceipt = paidDay.plusDays(10).atStartOfDay(SHANGHAI).toInstant(); // received on day 2, then 7 whole days
        for (MemberKey member : List.of(fromReceipt, fromPayment)) {
            await().atMost(ARRIVAL).untilAsserted(() -> web.get().uri("/api/v1/paid-orders/{id}", "order-1")
                    .headers(h -> h.setBearerAuth(api.token(member.merchantId(), "loyalty:read"))).exchange()
                    .expectStatus().isOk().expectBody()
                    .jsonPath("$.pending").isEqualTo(true)
                    .jsonPath("$.availableAt").isEqualTo(fromTheReceipt.toString()));
        }
    }

    @Test
    void shouldScoreADryRunByTheRulesInForceWithoutWriting() {
        String merchant = LoyaltyApi.unique("merchant");
        api.addRules(merchant, null, """
                {"returnWindowDays": 0, "categoryMultipliers": [{"category": "drinks", "percent": 200}], "caps": {"perOrder": 1000}}""");

        web.post().uri("/api/v1/earning-rules/dry-run").headers(h -> h.setBearerAuth(api.token(merchant, "loyalty:read")))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("""
                        {"currency": "CNY", "lines": [{"lineId": "L1", "category": "drinks/beer", "quantity": 2, "paidAmountMinor": 25800},
                                                      {"lineId": "L2", "category": "snacks", "quantity": 1, "paidAmountMinor": 5000}]}""")
                .exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.rulesVersion").isEqualTo(1)
                .jsonPath("$.points").isEqualTo(566)
                .jsonPath("$.lines[0].points").isEqualTo(516)
                .jsonPath("$.lines[1].points").isEqualTo(50)
                .jsonPath("$.ruleIds").value(ids -> assertThat(ids.toString()).contains("category:drinks"))
                .jsonPath("$.availableAt").isEmpty();
        web.get().uri("/api/v1/paid-orders/{id}", "L1").headers(h -> h.setBearerAuth(api.token(merchant, "loyalty:read")))
                .exchange().expectStatus().isNotFound();
    }

    @Test
    void shouldRefuseRulesThatCannotBeAppliedNamingTheField() {
        String merchant = LoyaltyApi.unique("merchant");
        String write = api.token(merchant, "loyalty:write");

        web.post().uri("/api/v1/earning-rules/versions").headers(h -> h.setBearerAuth(write)).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"rules\": {\"baseRates\": [{\"currency\": \"YUAN\", \"points\": 1, \"per\": 100}]}}")
                .exchange()
                .expectStatus().isBadRequest()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("rules.baseRates[0].currency");
        web.post().uri("/api/v1/earning-rules/versions").headers(h -> h.setBearerAuth(write)).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"effectiveFrom\": \"" + clock.instant().minus(Duration.ofDays(1)) + "\", \"rules\": {}}")
                .exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("effectiveFrom");
        web.post().uri("/api/v1/earning-rules/versions").headers(h -> h.setBearerAuth(write)).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"rules\": {\"memberDays\": [{\"dayOfWeek\": \"WEDNESDAY\", \"dayOfMonth\": 8, \"percent\": 200}]}}")
                .exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("rules.memberDays[0]");
        web.get().uri("/api/v1/earning-rules/versions").headers(h -> h.setBearerAuth(api.token(merchant, "loyalty:read"))).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.length()").isEqualTo(0);
    }

    @Test
    void shouldKeepEachMerchantsPointsAndRulesToItself() {
        MemberKey member = new MemberKey(LoyaltyApi.unique("merchant"), "shared-buyer-id");
        String other = LoyaltyApi.unique("merchant");
        api.addRules(member.merchantId(), null, "{\"returnWindowDays\": 0}");
        shop.publish(Topics.ORDERS, member, LoyaltyApi.paidAt(member, "order-1", clock.instant()));
        awaitPoints(member, 258, 0, 258);
        String otherRead = api.token(other, "loyalty:read");

        web.get().uri("/api/v1/members/{customer}/points", member.customerId()).headers(h -> h.setBearerAuth(otherRead)).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.available").isEqualTo(0).jsonPath("$.lifetime").isEqualTo(0);
        web.get().uri("/api/v1/members/{customer}/points/entries", member.customerId()).headers(h -> h.setBearerAuth(otherRead)).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.items.length()").isEqualTo(0);
        web.get().uri("/api/v1/earning-rules/versions").headers(h -> h.setBearerAuth(otherRead)).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.length()").isEqualTo(0);
        web.get().uri("/api/v1/earning-rules").headers(h -> h.setBearerAuth(otherRead)).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.version").isEqualTo(0).jsonPath("$.rules.returnWindowDays").isEqualTo(7);
        web.get().uri("/api/v1/paid-orders/{id}", "order-1").headers(h -> h.setBearerAuth(otherRead)).exchange()
                .expectStatus().isNotFound();
        web.get().uri("/api/v1/members/{customer}/points/expiring?days=3660", member.customerId()).headers(h -> h.setBearerAuth(otherRead))
                .exchange().expectStatus().isOk().expectBody().jsonPath("$.points").isEqualTo(0);
        web.post().uri("/api/v1/earning-rules/dry-run").headers(h -> h.setBearerAuth(otherRead)).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"currency\": \"CNY\", \"lines\": [{\"paidAmountMinor\": 25800}]}").exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.rulesVersion").isEqualTo(0).jsonPath("$.availableAt").isNotEmpty();
    }

    @Test
    void shouldDocumentTheWritesWithExamplesInTheOpenApiDescription() {
        web.get().uri("/v3/api-docs").exchange()
                .expectStatus().isOk().expectBody()
                .jsonPath("$.paths['/api/v1/earning-rules/versions'].post.requestBody.content['application/json'].examples['a programme']").exists()
                .jsonPath("$.paths['/api/v1/members/{customerId}/redemptions'].post.requestBody.content['application/json'].examples['cash off an order']").exists()
                .jsonPath("$.paths['/api/v1/members/{customerId}/interactions'].post.requestBody.content['application/json'].examples['a review']").exists()
                .jsonPath("$.paths['/api/v1/points/totals'].get.summary").exists();
    }

    @Test
    void shouldRefuseARuleChangeWithoutTheWriteScope() {
        String merchant = LoyaltyApi.unique("merchant");

        web.post().uri("/api/v1/earning-rules/versions").headers(h -> h.setBearerAuth(api.token(merchant, "loyalty:read")))
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"rules\": {}}")
                .exchange()
                .expectStatus().isForbidden()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
        web.get().uri("/api/v1/members/{customer}/points", "anyone").headers(h -> h.setBearerAuth(api.token(merchant, "members:read")))
                .exchange().expectStatus().isForbidden();
    }

    @Test
    void shouldDeadLetterAnOrderWithANegativeQuantityAndGoOn() {
        MemberKey member = new MemberKey(LoyaltyApi.unique("merchant"), "buyer");
        OrderEvent bad = LoyaltyApi.paidAt(member, "bad-order", clock.instant());
        ((OrderPaid) bad.getPayload()).getLines().get(0).setQuantity(-2);
        shop.publish(Topics.ORDERS, member, bad);
        shop.publish(Topics.ORDERS, member, LoyaltyApi.paidAt(member, "good-order", clock.instant()));

        ConsumerRecord<String, byte[]> deadLetter = shop.awaitRecord(Topics.ORDERS.deadLetterTopic(),
                record -> member.toString().equals(record.key()), ARRIVAL);

        assertThat(KafkaTestClient.header(deadLetter, "fugou_dlt-reason")).contains("bad-order").contains("lines[0].quantity must not be negative");
        awaitPoints(member, 0, 258, 258);
    }
}
