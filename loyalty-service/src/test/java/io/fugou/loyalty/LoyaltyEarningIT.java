package io.fugou.loyalty;

import static org.assertj.core.api.Assertions.assertThat;

import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.events.campaigns.BonusPointsGranted;
import io.fugou.events.campaigns.CampaignEvent;
import io.fugou.events.orders.OrderEvent;
import io.fugou.events.points.EarningSource;
import io.fugou.events.points.EntitlementDrawn;
import io.fugou.events.points.EntitlementGranted;
import io.fugou.events.points.PointsEarned;
import io.fugou.events.points.PointsEvent;
import io.fugou.platform.security.LocalTokens;
import io.fugou.testsupport.KafkaTestClient;
import io.fugou.testsupport.MovableClock;
import io.fugou.testsupport.OrderEventMother;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Points earned besides orders: interactions the shop posts, within their caps, and bonus points campaigns grant. */
@LoyaltyIntegrationTest
class LoyaltyEarningIT {

    private static final Duration ARRIVAL = Duration.ofSeconds(30);

    @Autowired
    private WebTestClient web;

    @Autowired
    private LocalTokens localTokens;

    @Autowired
    private MovableClock clock;

    private final KafkaTestClient shop = new KafkaTestClient();

    private LoyaltyApi api;

    @BeforeEach
    void client() {
        api = new LoyaltyApi(web, localTokens);
    }

    private WebTestClient.ResponseSpec interact(MemberKey member, String kind, String id) {
        return web.post().uri("/api/v1/members/{c}/interactions", member.customerId())
                .headers(h -> h.setBearerAuth(api.token(member.merchantId(), "loyalty:earn"))).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"kind\": \"" + kind + "\", \"interactionId\": \"" + id + "\"}").exchange();
    }

    @Test
    void shouldCreditInteractionsOnceEachWithinTheirCaps() {
        MemberKey member = new MemberKey("merchant-" + UUID.randomUUID().toString().substring(0, 8), "buyer");
        api.addRules(member.merchantId(), null, """
                {"interactions": [{"kind": "review", "points": 10, "maxPerDay": 2},
                                  {"kind": "profile-completed", "points": 50, "maxPerMember": 1}]}""");

        interact(member, "review", "r1").expectStatus().isCreated().expectBody().jsonPath("$.points").isEqualTo(10);
        interact(member, "review", "r2").expectStatus().isCreated().expectBody().jsonPath("$.availableAfter").isEqualTo(20);
        interact(member, "review", "r3").expectStatus().isCreated().expectBody()
                .jsonPath("$.points").isEqualTo(0).jsonPath("$.cappedBy").isEqualTo("maxPerDay");
        interact(member, "review", "r1").expectStatus().isEqualTo(409);
        interact(member, "profile-completed", "p1").expectStatus().isCreated().expectBody().jsonPath("$.points").isEqualTo(50);
        interact(member, "profile-completed", "p2").expectStatus().isCreated().expectBody().jsonPath("$.cappedBy").isEqualTo("maxPerMember");
        interact(member, "share", "s1").expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].field").isEqualTo("kind");
        interact(new MemberKey("another-merchant", member.customerId()), "review", "r4").expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("kind"); // another merchant's rules: no such kind there
        web.post().uri("/api/v1/members/{c}/interactions", member.customerId())
                .headers(h -> h.setBearerAuth(api.token(member.merchantId(), "loyalty:read"))).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"kind\": \"review\", \"interactionId\": \"r9\"}").exchange().expectStatus().isForbidden();

        assertThat(api.points(member)).containsEntry("available", 70).containsEntry("pending", 0);
        List<PointsEvent> events = shop.awaitEvents(Topics.POINTS, member, 3, ARRIVAL);
        assertThat(events).extracting(event -> ((PointsEarned) event.getPayload()).getSource()).containsOnly(EarningSource.INTERACTION);
        assertThat(events).extracting(event -> ((PointsEarned) event.getPayload()).getPoints()).containsExactly(10L, 10L, 50L);
        assertThat(((PointsEarned) events.get(0).getPayload()).getRuleIds()).contains("interaction:review");
    }

    @Test
    void shouldGrantAPrepaidBundleAndDrawItDownToZeroAndNoFurther() {
        MemberKey member = new MemberKey("merchant-" + UUID.randomUUID().toString().substring(0, 8), "buyer");
        api.addRules(member.merchantId(), null,
                "{\"returnWindowDays\": 0, \"bundles\": [{\"sku\": \"BEER-PACK\", \"coversSku\": \"BEER-101\", \"units\": 3}]}");
        OrderEvent pack = OrderEventMother.paid(member.merchantId(), member.customerId(), "pack-order",
                List.of(OrderEventMother.line("BEER-PACK", "drinks/beer", 1, 30_000)));
        OrderEvent visit = OrderEventMother.paid(member.merchantId(), member.customerId(), "visit-order",
                List.of(OrderEventMother.line("BEER-101", "drinks/beer", 2, 0)));
        shop.publish(Topics.ORDERS, member, pack);
        shop.publish(Topics.ORDERS, member, visit);
        shop.publish(Topics.ORDERS, member, visit); // sent again: drawn once

        List<PointsEvent> events = shop.awaitEvents(Topics.POINTS, member, 3, ARRIVAL);
        assertThat(events).extracting(PointsEvent::getSequence).containsExactly(1L, 2L, 3L);
        EntitlementGranted granted = (EntitlementGranted) events.get(1).getPayload();
        assertThat(granted.getUnits()).isEqualTo(3);
        assertThat(granted.getSku()).isEqualTo("BEER-101");
        EntitlementDrawn drawn = (EntitlementDrawn) events.get(2).getPayload();
        assertThat(drawn.getUnits()).isEqualTo(2);
        assertThat(drawn.getRemainingUnits()).isEqualTo(1);
        assertThat(drawn.getOrderId()).isEqualTo("visit-order");

        String draws = "/api/v1/members/" + member.customerId() + "/entitlements/" + granted.getEntitlementId() + "/draws";
        String redeem = api.token(member.merchantId(), "loyalty:redeem");
        web.post().uri(draws).headers(h -> h.setBearerAuth(redeem)).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"drawId\": \"counter-1\", \"units\": 1}").exchange()
                .expectStatus().isCreated().expectBody().jsonPath("$.remaining").isEqualTo(0);
        web.post().uri(draws).headers(h -> h.setBearerAuth(redeem)).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"drawId\": \"counter-2\", \"units\": 1}").exchange()
                .expectStatus().isEqualTo(409).expectBody().jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("0 units left"));
        // Sent again after a lost answer: told it was applied, not that no units are left.
        web.post().uri(draws).headers(h -> h.setBearerAuth(redeem)).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"drawId\": \"counter-1\", \"units\": 1}").exchange()
                .expectStatus().isEqualTo(409).expectBody().jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("applied already"));
        web.post().uri(draws).headers(h -> h.setBearerAuth(api.token("another-merchant", "loyalty:redeem"))).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"drawId\": \"counter-3\", \"units\": 1}").exchange()
                .expectStatus().isNotFound();
        web.get().uri("/api/v1/members/{c}/entitlements", member.customerId())
                .headers(h -> h.setBearerAuth(api.token(member.merchantId(), "loyalty:read"))).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$[0].remaining").isEqualTo(0).jsonPath("$[0].units").isEqualTo(3);
        web.get().uri("/api/v1/members/{c}/entitlements", member.customerId())
                .headers(h -> h.setBearerAuth(api.token("another-merchant", "loyalty:read"))).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.length()").isEqualTo(0);
        assertThat(shop.awaitEvents(Topics.POINTS, member, 4, ARRIVAL).get(3).getPayload())
                .isInstanceOfSatisfying(EntitlementDrawn.class, last -> assertThat(last.getRemainingUnits()).isZero());
    }

    /**
     * A batch of orders locks a member's balance row, then their entitlements; a draw at the counter takes them in the same
     * order. Taken the other way round (the entitlement, then the balance row to number its event), the two deadlocked and
     * the database aborted one of them.
     */
    @Test
    void shouldDrawAtTheCounterWhileABatchOfOrdersHoldsTheMembersBalance() throws Exception {
        MemberKey member = new MemberKey("merchant-" + UUID.randomUUID().toString().substring(0, 8), "buyer");
        api.addRules(member.merchantId(), null,
                "{\"returnWindowDays\": 0, \"bundles\": [{\"sku\": \"BEER-PACK\", \"coversSku\": \"BEER-101\", \"units\": 3}]}");
        shop.publish(Topics.ORDERS, member, OrderEventMother.paid(member.merchantId(), member.customerId(), "pack-order",
                List.of(OrderEventMother.line("BEER-PACK", "drinks/beer", 1, 30_000))));
        EntitlementGranted granted = (EntitlementGranted) shop.awaitEvents(Topics.POINTS, member, 2, ARRIVAL).get(1).getPayload();

        try (Connection batch = BlockedSessions.connect()) {
            batch.setAutoCommit(false);
            // What a batch of orders does first (PointsLedger.move)...
            lockRows(batch, "points_balance", member);
            CompletableFuture<EntityExchangeResult<String>> draw = CompletableFuture.supplyAsync(() -> web.mutate()
                    .responseTimeout(Duration.ofSeconds(30)).build().post()
                    .uri("/api/v1/members/{c}/entitlements/{e}/draws", member.customerId(), granted.getEntitlementId())
                    .headers(h -> h.setBearerAuth(api.token(member.merchantId(), "loyalty:redeem"))).contentType(MediaType.APPLICATION_JSON)
                    .bodyValue("{\"drawId\": \"counter-1\", \"units\": 1}").exchange().expectBody(String.class).returnResult());
            BlockedSessions.awaitBlockedBy(batch);
            // ...and next, for an order drawing from the bundle (Entitlements.apply): the draw must not be holding these.
            try (Statement statement = batch.createStatement()) {
                statement.execute("set local lock_timeout = '5s'");
            }
            lockRows(batch, "entitlement", member);
            batch.commit();
            EntityExchangeResult<String> drawn = draw.get(30, TimeUnit.SECONDS);
            assertThat(drawn.getStatus().value()).as(drawn.getResponseBody()).isEqualTo(201);
            assertThat(drawn.getResponseBody()).contains("\"remaining\":2");
        }
        assertThat(shop.awaitEvents(Topics.POINTS, member, 3, ARRIVAL).get(2).getPayload())
                .isInstanceOfSatisfying(EntitlementDrawn.class, last -> assertThat(last.getRemainingUnits()).isEqualTo(2));
    }

    private static void lockRows(Connection connection, String table, MemberKey member) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement("select 1 from " + table + " where merchant_id = ? and customer_id = ? for update")) {
            lock.setString(1, member.merchantId());
            lock.setString(2, member.customerId());
            try (ResultSet rows = lock.executeQuery()) {
                assertThat(rows.next()).as("a row of " + table).isTrue();
            }
        }
    }

    @Test
    void shouldCreditACampaignsBonusOnceHoweverOftenItIsDelivered() {
        MemberKey member = new MemberKey("merchant-" + UUID.randomUUID().toString().substring(0, 8), "buyer");
        CampaignEvent grant = CampaignEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString()).setOccurredAt(clock.instant().truncatedTo(ChronoUnit.MILLIS))
                .setMerchantId(member.merchantId()).setCustomerId(member.customerId())
                .setPayload(BonusPointsGranted.newBuilder().setGrantId("grant-1").setCampaignId("double-eleven").setPoints(88).build())
                .build();
        shop.publish(Topics.CAMPAIGNS, member, grant);
        shop.publish(Topics.CAMPAIGNS, member, grant);

        List<PointsEvent> events = shop.awaitEvents(Topics.POINTS, member, 1, ARRIVAL);

        assertThat(events).hasSize(1);
        PointsEarned earned = (PointsEarned) events.get(0).getPayload();
        assertThat(earned.getSource()).isEqualTo(EarningSource.CAMPAIGN_BONUS);
        assertThat(earned.getPoints()).isEqualTo(88);
        assertThat(earned.getRuleIds()).contains("campaign:double-eleven");
        assertThat(api.points(member)).containsEntry("available", 88);
    }
}
