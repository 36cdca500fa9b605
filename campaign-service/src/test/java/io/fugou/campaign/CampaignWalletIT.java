package io.fugou.campaign;

import static io.fugou.campaign.CampaignApi.enrolled;
import static io.fugou.campaign.CampaignApi.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.events.campaigns.CampaignEvent;
import io.fugou.events.campaigns.CouponIssued;
import io.fugou.events.campaigns.CouponRedeemed;
import io.fugou.events.campaigns.CouponReturned;
import io.fugou.events.common.EnrollmentChannel;
import io.fugou.events.orders.OrderEvent;
import io.fugou.events.points.PointsEvent;
import io.fugou.events.points.PointsRedeemed;
import io.fugou.events.points.RewardKind;
import io.fugou.platform.security.LocalTokens;
import io.fugou.testsupport.KafkaTestClient;
import io.fugou.testsupport.MovableClock;
import io.fugou.testsupport.OrderEventMother;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The wallet beyond campaigns: coupon templates, coupons bought with points (loyalty's {@code PointsRedeemed}), and coupons
 * given back when the order that used them is cancelled or fully refunded.
 */
@CampaignIntegrationTest
class CampaignWalletIT {

    private static final Duration ARRIVAL = Duration.ofSeconds(30);

    @Autowired
    private WebTestClient web;

    @Autowired
    private LocalTokens localTokens;

    @Autowired
    private MovableClock clock;

    private final KafkaTestClient shop = new KafkaTestClient();

    private CampaignApi api;

    @BeforeEach
    void setUp() {
        api = new CampaignApi(web, localTokens);
        clock.set(Instant.now());
    }

    @Test
    void shouldKeepEachMerchantsCouponTemplatesAndRefuseBrokenOnes() {
        String merchant = unique("merchant");
        putTemplate(merchant, "ten-for-points", "{\"amountOffMinor\": 1000, \"currency\": \"CNY\", \"validDays\": 30}").expectStatus().isCreated();
        putTemplate(merchant, "ten-for-points", "{\"amountOffMinor\": 1200, \"currency\": \"CNY\", \"validDays\": 30}").expectStatus().isOk();
        web.get().uri("/api/v1/coupon-templates/ten-for-points").headers(h -> h.setBearerAuth(api.token(merchant, "campaigns:read"))).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.amountOffMinor").isEqualTo(1200).jsonPath("$.templateId").isEqualTo("ten-for-points");
        web.get().uri("/api/v1/coupon-templates").headers(h -> h.setBearerAuth(api.token(merchant, "campaigns:read"))).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.length()").isEqualTo(1);

        putTemplate(merchant, "too-much", "{\"percentOff\": 150, \"validDays\": 30}").expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("percentOff");
        putTemplate(merchant, "two-kinds", "{\"percentOff\": 10, \"freeShipping\": true, \"validDays\": 30}").expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("amountOffMinor");
        putTemplate(merchant, "renamed", "{\"templateId\": \"other\", \"freeShipping\": true, \"validDays\": 30}").expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("templateId");
        putTemplate(merchant, "cross-sell", "{\"percentOff\": 10, \"validDays\": 30, \"categoryBoughtNext\": true}").expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("categoryBoughtNext");
        // Another merchant sees none of them, and its template of the same id is its own.
        String other = unique("merchant");
        web.get().uri("/api/v1/coupon-templates/ten-for-points").headers(h -> h.setBearerAuth(api.token(other, "campaigns:read"))).exchange()
                .expectStatus().isNotFound();
        web.get().uri("/api/v1/coupon-templates").headers(h -> h.setBearerAuth(api.token(other, "campaigns:read"))).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.length()").isEqualTo(0);
        putTemplate(other, "ten-for-points", "{\"amountOffMinor\": 500, \"currency\": \"CNY\", \"validDays\": 7}").expectStatus().isCreated();
        web.get().uri("/api/v1/coupon-templates/ten-for-points").headers(h -> h.setBearerAuth(api.token(merchant, "campaigns:read"))).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.amountOffMinor").isEqualTo(1200);
        web.put().uri("/api/v1/coupon-templates/read-only").headers(h -> h.setBearerAuth(api.token(merchant, "campaigns:read")))
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"freeShipping\": true, \"validDays\": 30}").exchange()
                .expectStatus().isForbidden();
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldPutACouponBoughtWithPointsInTheWalletOnceAndGiveItBackWhenItsOrderIsRefunded() {
        String merchant = unique("merchant");
        putTemplate(merchant, "ten-for-points", "{\"amountOffMinor\": 1000, \"currency\": \"CNY\", \"validDays\": 30, \"returnOnRefund\": true}")
                .expectStatus().isCreated();
        MemberKey member = new MemberKey(merchant, "points-spender");
        shop.publish(Topics.MEMBERS, member, enrolled(member, EnrollmentChannel.SHOP_HOME, null, Instant.now()));

        PointsEvent redeemed = redemption(member, "r-1", "ten-for-points");
        shop.publish(Topics.POINTS, member, redeemed);
        shop.publish(Topics.POINTS, member, redeemed); // redelivered: one coupon
        // A template nobody defined: a dead letter saying so, and the redemptions behind it still land.
        shop.publish(Topics.POINTS, member, redemption(member, "r-2", "never-defined"));
        shop.publish(Topics.POINTS, member, redemption(member, "r-3", "ten-for-points"));
        ConsumerRecord<String, byte[]> deadLetter = shop.awaitRecord(Topics.POINTS.deadLetterTopic(),
                record -> member.toString().equals(record.key()), ARRIVAL);
        assertThat(KafkaTestClient.header(deadLetter, "fugou_dlt-reason")).contains("never-defined").contains("PUT /api/v1/coupon-templates/never-defined");

        List<CampaignEvent> events = shop.awaitEvents(Topics.CAMPAIGNS, member, 2, ARRIVAL);
        assertThat(events).hasSize(2);
        List<CouponIssued> issued = events.stream().map(CampaignEvent::getPayload).map(CouponIssued.class::cast).toList();
        assertThat(issued).extracting(CouponIssued::getPointsRedemptionId).containsExactly("r-1", "r-3");
        assertThat(issued).extracting(CouponIssued::getCampaignId).containsOnlyNulls();
        List<Map<String, Object>> wallet = wallet(member);
        assertThat(wallet).extracting(coupon -> coupon.get("code")).containsExactlyInAnyOrder(issued.get(0).getCouponCode(), issued.get(1).getCouponCode());

        // One coupon pays an order; a partial refund leaves it used, the full refund gives it back; the other, used on an
        // order that stands, stays used.
        String first = issued.get(0).getCouponCode();
        String second = issued.get(1).getCouponCode();
        OrderEvent refundedLater = OrderEventMother.paidWithCoupon(merchant, member.customerId(), "refunded-later",
                List.of(OrderEventMother.line("BEER-1", "drinks/beer", 2, 3000)), first, 1000);
        shop.publish(Topics.ORDERS, member, refundedLater);
        shop.publish(Topics.ORDERS, member, OrderEventMother.paidWithCoupon(merchant, member.customerId(), "kept",
                List.of(OrderEventMother.line("BEER-1", "drinks/beer", 2, 3000)), second, 1000));
        shop.publish(Topics.ORDERS, member, OrderEventMother.refunded(merchant, member.customerId(), "refunded-later", 500));
        shop.publish(Topics.ORDERS, member, OrderEventMother.fullyRefunded(refundedLater));
        shop.publish(Topics.ORDERS, member, OrderEventMother.fullyRefunded(refundedLater)); // redelivered: given back once
        events = shop.awaitEvents(Topics.CAMPAIGNS, member, 5, ARRIVAL);
        assertThat(events).hasSize(5);
        assertThat(events.subList(2, 4)).extracting(event -> event.getPayload().getClass().getSimpleName())
                .containsExactly(CouponRedeemed.class.getSimpleName(), CouponRedeemed.class.getSimpleName());
        CouponReturned returned = (CouponReturned) events.get(4).getPayload();
        assertThat(returned.getCouponCode()).isEqualTo(first);
        assertThat(returned.getOrderId()).isEqualTo("refunded-later");
        assertThat(wallet(member)).extracting(coupon -> coupon.get("code")).containsExactly(first);
    }

    private WebTestClient.ResponseSpec putTemplate(String merchant, String templateId, String body) {
        return web.put().uri("/api/v1/coupon-templates/{id}", templateId).headers(h -> h.setBearerAuth(api.token(merchant, "campaigns:write")))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> wallet(MemberKey member) {
        clock.set(Instant.now());
        return web.get().uri("/api/v1/members/{customer}/coupons", member.customerId())
                .headers(h -> h.setBearerAuth(api.token(member.merchantId(), "campaigns:read"))).exchange().expectStatus().isOk()
                .expectBody(List.class).returnResult().getResponseBody();
    }

    private static PointsEvent redemption(MemberKey member, String redemptionId, String templateId) {
        return PointsEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                .setMerchantId(member.merchantId()).setCustomerId(member.customerId()).setSequence(0)
                .setPayload(PointsRedeemed.newBuilder().setEntryId("spend-" + redemptionId).setRedemptionId(redemptionId).setPoints(500)
                        .setReward(RewardKind.COUPON).setRewardId(templateId).setBalanceAfter(1000).build())
                .build();
    }
}
