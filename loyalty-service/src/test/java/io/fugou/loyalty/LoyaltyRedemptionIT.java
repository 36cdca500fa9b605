package io.fugou.loyalty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.events.points.PointsAdjusted;
import io.fugou.events.points.PointsEvent;
import io.fugou.events.points.PointsRedeemed;
import io.fugou.events.points.PointsReversed;
import io.fugou.events.points.RewardKind;
import io.fugou.platform.security.LocalTokens;
import io.fugou.testsupport.KafkaTestClient;
import io.fugou.testsupport.MovableClock;
import io.fugou.testsupport.OrderEventMother;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;

/** Spending points: reserve, confirm, cancel and expiry of a reservation, concurrent redemptions, corrections, refunds of spent points. */
@LoyaltyIntegrationTest
class LoyaltyRedemptionIT {

    private static final Duration ARRIVAL = Duration.ofSeconds(30);

    @Autowired
    private WebTestClient web;

    @Autowired
    private LocalTokens localTokens;

    @Autowired
    private MovableClock clock;

    @LocalServerPort
    private int port;

    private final KafkaTestClient shop = new KafkaTestClient();

    private LoyaltyApi api;

    @BeforeEach
    void client() {
        api = new LoyaltyApi(web, localTokens);
    }

    private WebTestClient.ResponseSpec post(String merchant, String scope, String uri, String body) {
        return web.post().uri(uri).headers(h -> h.setBearerAuth(api.token(merchant, scope))).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body).exchange();
    }

    private void give(MemberKey member, long points) {
        post(member.merchantId(), "loyalty:adjust", "/api/v1/members/" + member.customerId() + "/points/adjustments",
                "{\"adjustmentId\": \"" + LoyaltyApi.unique("welcome") + "\", \"points\": " + points + ", \"reason\": \"welcome gift\"}")
                .expectStatus().isCreated();
    }

    @Test
    void shouldHoldReservedPointsAndSpendThemOnlyWhenConfirmed() {
        MemberKey member = new MemberKey(LoyaltyApi.unique("merchant"), "buyer");
        give(member, 1_000);

        Map<String, Object> coupon = api.reserve(member, "{\"points\": 300, \"reward\": \"COUPON\", \"rewardId\": \"template-10-off\"}");
        assertThat(coupon).containsEntry("state", "RESERVED");
        assertThat(api.points(member)).containsEntry("available", 1_000).containsEntry("held", 300).containsEntry("spendable", 700);

        String confirm = "/api/v1/redemptions/" + coupon.get("redemptionId") + "/confirm";
        post(member.merchantId(), "loyalty:redeem", confirm, "").expectStatus().isOk().expectBody().jsonPath("$.state").isEqualTo("CONFIRMED");
        post(member.merchantId(), "loyalty:redeem", confirm, "").expectStatus().isOk().expectBody().jsonPath("$.state").isEqualTo("CONFIRMED");
        assertThat(api.points(member)).containsEntry("available", 700).containsEntry("held", 0).containsEntry("spendable", 700);

        Map<String, Object> gift = api.reserve(member, "{\"points\": 200, \"reward\": \"GIFT\", \"rewardId\": \"MUG-1\"}");
        String cancel = "/api/v1/redemptions/" + gift.get("redemptionId") + "/cancel";
        post(member.merchantId(), "loyalty:redeem", cancel, "").expectStatus().isOk().expectBody().jsonPath("$.state").isEqualTo("CANCELLED");
        post(member.merchantId(), "loyalty:redeem", cancel, "").expectStatus().isOk();
        post(member.merchantId(), "loyalty:redeem", "/api/v1/redemptions/" + gift.get("redemptionId") + "/confirm", "")
                .expectStatus().isEqualTo(409);
        assertThat(api.points(member)).containsEntry("spendable", 700);

        List<PointsEvent> events = shop.awaitEvents(Topics.POINTS, member, 2, ARRIVAL);
        assertThat(events).extracting(PointsEvent::getSequence).containsExactly(1L, 2L);
        PointsAdjusted welcome = (PointsAdjusted) events.get(0).getPayload();
        assertThat(welcome.getOperator()).isEqualTo("local:" + member.merchantId());
        assertThat(welcome.getReason()).isEqualTo("welcome gift");
        PointsRedeemed redeemed = (PointsRedeemed) events.get(1).getPayload();
        assertThat(redeemed.getReward()).isEqualTo(RewardKind.COUPON);
        assertThat(redeemed.getRewardId()).as("campaign-service issues this template's coupon").isEqualTo("template-10-off");
        assertThat(redeemed.getRedemptionId()).isEqualTo(coupon.get("redemptionId"));
        assertThat(redeemed.getPoints()).isEqualTo(300);
        assertThat(redeemed.getBalanceAfter()).isEqualTo(700);

        web.get().uri("/api/v1/points/totals").headers(h -> h.setBearerAuth(api.token(member.merchantId(), "loyalty:read"))).exchange()
                .expectStatus().isOk().expectBody()
                .jsonPath("$.outstanding.available").isEqualTo(700)
                .jsonPath("$.outstanding.members").isEqualTo(1)
                .jsonPath("$.days.length()").isEqualTo(30)
                .jsonPath("$.days[29].issued").isEqualTo(1_000)
                .jsonPath("$.days[29].redeemed").isEqualTo(300);
        web.get().uri("/api/v1/points/totals?from=2026-01-02&to=2026-01-01").headers(h -> h.setBearerAuth(api.token(member.merchantId(), "loyalty:read")))
                .exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].field").isEqualTo("from");
        web.get().uri("/api/v1/points/totals").headers(h -> h.setBearerAuth(api.token(LoyaltyApi.unique("merchant"), "loyalty:read"))).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.outstanding.available").isEqualTo(0);
    }

    @Test
    void shouldLetAnUnconfirmedReservationLapseAndGiveItsPointsBack() {
        MemberKey member = new MemberKey(LoyaltyApi.unique("merchant"), "buyer");
        give(member, 500);
        Map<String, Object> reserved = api.reserve(member, "{\"points\": 400, \"reward\": \"GIFT\", \"rewardId\": \"MUG-1\"}");
        assertThat(api.points(member)).containsEntry("spendable", 100);
        try {
            clock.advance(Duration.ofMinutes(16)); // the default hold is 15 minutes

            assertThat(api.points(member)).containsEntry("spendable", 500).containsEntry("held", 0);
            web.get().uri("/api/v1/redemptions/{id}", reserved.get("redemptionId"))
                    .headers(h -> h.setBearerAuth(api.token(member.merchantId(), "loyalty:read"))).exchange()
                    .expectStatus().isOk().expectBody().jsonPath("$.state").isEqualTo("EXPIRED");
            post(member.merchantId(), "loyalty:redeem", "/api/v1/redemptions/" + reserved.get("redemptionId") + "/confirm", "")
                    .expectStatus().isEqualTo(409)
                    .expectBody().jsonPath("$.detail").value(detail -> assertThat(detail.toString()).contains("expired"));
        } finally {
            clock.set(Instant.now());
        }
        assertThat(api.points(member)).containsEntry("available", 500);
    }

    @Test
    void shouldNeverTakeTheBalanceBelowZeroUnderFiftyConcurrentRedemptions() {
        MemberKey member = new MemberKey(LoyaltyApi.unique("merchant"), "buyer");
        give(member, 1_000);
        WebClient client = WebClient.create("http://localhost:" + port);
        String redeem = api.token(member.merchantId(), "loyalty:redeem");

        List<Object> outcomes = Flux.range(0, 50).flatMap(i -> client.post()
                        .uri("/api/v1/members/{customer}/redemptions", member.customerId())
                        .headers(h -> h.setBearerAuth(redeem)).contentType(MediaType.APPLICATION_JSON)
                        .bodyValue("{\"points\": 30, \"reward\": \"GIFT\", \"rewardId\": \"MUG-1\"}")
                        .exchangeToMono(response -> response.statusCode().value() == 201
                                ? response.bodyToMono(Map.class).map(body -> (Object) body.get("redemptionId"))
                                : response.releaseBody().thenReturn((Object) response.statusCode())), 50)
                .collectList().block(Duration.ofSeconds(60));

        List<Object> reserved = outcomes.stream().filter(String.class::isInstance).toList();
        assertThat(reserved).as("30 points each from 1000: 33 fit").hasSize(33);
        assertThat(outcomes).filteredOn(HttpStatusCode.class::isInstance).allMatch(status -> ((HttpStatusCode) status).value() == 409).hasSize(17);
        assertThat(api.points(member)).containsEntry("held", 990).containsEntry("spendable", 10);

        Flux.fromIterable(reserved).flatMap(id -> client.post().uri("/api/v1/redemptions/{id}/confirm", id)
                .headers(h -> h.setBearerAuth(redeem)).retrieve().toBodilessEntity(), 50).collectList().block(Duration.ofSeconds(60));
        assertThat(api.points(member)).containsEntry("available", 10).containsEntry("held", 0);
    }

    @Test
    void shouldTakeCashOffAtTheMerchantsRate() {
        MemberKey member = new MemberKey(LoyaltyApi.unique("merchant"), "buyer");
        api.addRules(member.merchantId(), null, "{\"cashRates\": [{\"currency\": \"CNY\", \"points\": 100, \"worthMinor\": 100}]}");
        give(member, 1_000);

        post(member.merchantId(), "loyalty:redeem", "/api/v1/members/" + member.customerId() + "/redemptions",
                "{\"points\": 250, \"reward\": \"CASH_OFF\", \"orderId\": \"order-9\"}")
                .expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].field").isEqualTo("points");
        Map<String, Object> cash = api.reserve(member, "{\"points\": 500, \"reward\": \"CASH_OFF\", \"orderId\": \"order-9\"}");

        assertThat(cash).containsEntry("cashAmountMinor", 500).containsEntry("cashCurrency", "CNY").containsEntry("orderId", "order-9");
    }

    @Test
    void shouldRefuseToTakeAwayMoreThanCanBeSpentAndApplyACorrectionOnce() {
        MemberKey member = new MemberKey(LoyaltyApi.unique("merchant"), "buyer");
        give(member, 100);
        api.reserve(member, "{\"points\": 60, \"reward\": \"GIFT\", \"rewardId\": \"MUG-1\"}");
        String adjust = "/api/v1/members/" + member.customerId() + "/points/adjustments";

        post(member.merchantId(), "loyalty:adjust", adjust, "{\"adjustmentId\": \"fix-1\", \"points\": -50, \"reason\": \"duplicate gift\"}")
                .expectStatus().isEqualTo(409).expectBody().jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("Cannot take 50"));
        post(member.merchantId(), "loyalty:adjust", adjust, "{\"adjustmentId\": \"fix-2\", \"points\": -40, \"reason\": \"duplicate gift\"}")
                .expectStatus().isCreated().expectBody().jsonPath("$.availableAfter").isEqualTo(60).jsonPath("$.operator")
                .isEqualTo("local:" + member.merchantId());
        // Sent again, now that nothing can be spent: told it was applied, not that it asks too much.
        post(member.merchantId(), "loyalty:adjust", adjust, "{\"adjustmentId\": \"fix-2\", \"points\": -40, \"reason\": \"duplicate gift\"}")
                .expectStatus().isEqualTo(409).expectBody().jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("applied already"));
        post(member.merchantId(), "loyalty:adjust", adjust, "{\"adjustmentId\": \"fix-3\", \"points\": 5}")
                .expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].field").isEqualTo("reason");
        assertThat(api.points(member)).containsEntry("available", 60).containsEntry("spendable", 0);
    }

    @Test
    void shouldTakeOnlyWhatIsLeftWhenARefundedOrdersPointsWereSpentAndRecordTheShortfall() {
        MemberKey member = new MemberKey(LoyaltyApi.unique("merchant"), "buyer");
        api.addRules(member.merchantId(), null, "{\"returnWindowDays\": 0}");
        shop.publish(Topics.ORDERS, member, LoyaltyApi.paidAt(member, "order-1", clock.instant()));
        await().atMost(ARRIVAL).until(() -> ((Number) api.points(member).get("available")).longValue() == 258);
        api.redeem(member, 200);

        shop.publish(Topics.ORDERS, member, OrderEventMother.cancelled(member.merchantId(), member.customerId(), "order-1"));

        List<PointsEvent> events = shop.awaitEvents(Topics.POINTS, member, 3, ARRIVAL);
        PointsReversed reversed = (PointsReversed) events.get(2).getPayload();
        assertThat(reversed.getPoints()).isEqualTo(258);
        assertThat(reversed.getShortfall()).as("200 of the 258 were spent on the mug").isEqualTo(200);
        assertThat(reversed.getBalanceAfter()).isZero();
        assertThat(api.points(member)).containsEntry("available", 0).containsEntry("lifetime", 0);
    }

    @Test
    void shouldKeepRedemptionsToTheirMerchantAndAskForTheRedeemScope() {
        MemberKey member = new MemberKey(LoyaltyApi.unique("merchant"), "shared-buyer");
        String other = LoyaltyApi.unique("merchant");
        give(member, 100);
        Map<String, Object> reserved = api.reserve(member, "{\"points\": 50, \"reward\": \"GIFT\", \"rewardId\": \"MUG-1\"}");

        web.get().uri("/api/v1/redemptions/{id}", reserved.get("redemptionId")).headers(h -> h.setBearerAuth(api.token(other, "loyalty:read")))
                .exchange().expectStatus().isNotFound();
        post(other, "loyalty:redeem", "/api/v1/redemptions/" + reserved.get("redemptionId") + "/confirm", "").expectStatus().isNotFound();
        post(other, "loyalty:redeem", "/api/v1/redemptions/" + reserved.get("redemptionId") + "/cancel", "").expectStatus().isNotFound();
        post(other, "loyalty:redeem", "/api/v1/members/" + member.customerId() + "/redemptions",
                "{\"points\": 10, \"reward\": \"GIFT\", \"rewardId\": \"MUG-1\"}").expectStatus().isEqualTo(409);
        post(other, "loyalty:adjust", "/api/v1/members/" + member.customerId() + "/points/adjustments",
                "{\"adjustmentId\": \"x\", \"points\": -10, \"reason\": \"try\"}").expectStatus().isEqualTo(409);
        post(member.merchantId(), "loyalty:read", "/api/v1/members/" + member.customerId() + "/redemptions",
                "{\"points\": 10, \"reward\": \"GIFT\", \"rewardId\": \"MUG-1\"}").expectStatus().isForbidden();
        post(member.merchantId(), "loyalty:redeem", "/api/v1/members/" + member.customerId() + "/points/adjustments",
                "{\"adjustmentId\": \"y\", \"points\": 10, \"reason\": \"try\"}").expectStatus().isForbidden();
        assertThat(api.points(member)).containsEntry("available", 100).containsEntry("held", 50);
    }
}
