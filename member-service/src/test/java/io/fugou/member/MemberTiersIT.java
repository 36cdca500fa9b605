package io.fugou.member;

import static io.fugou.member.MemberApi.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.events.members.MemberEnrolled;
import io.fugou.events.members.MemberEvent;
import io.fugou.events.members.MemberTierChanged;
import io.fugou.events.members.TierChangeDirection;
import io.fugou.events.members.TierChangeReason;
import io.fugou.events.orders.OrderEvent;
import io.fugou.events.points.EarningSource;
import io.fugou.events.points.PointsEarned;
import io.fugou.events.points.PointsEvent;
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
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Tiers by growth: up at once, down only when a qualification period ends, by hand until a day; refunds take growth back. */
@MemberIntegrationTest
class MemberTiersIT {

    private static final Duration ARRIVAL = Duration.ofSeconds(30);
    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    private static final String LADDER = "\"tiers\": [{\"code\": \"regular\", \"threshold\": 0}, {\"code\": \"silver\", \"threshold\": 1000},"
            + " {\"code\": \"gold\", \"threshold\": 5000}]";

    @Autowired
    private WebTestClient web;

    @Autowired
    private LocalTokens localTokens;

    @Autowired
    private MovableClock clock;

    private final KafkaTestClient shop = new KafkaTestClient();

    private MemberApi api;

    /** Programmes added in a test are in force from ten minutes ago, so the orders the test sends now fall under them. */
    @BeforeEach
    void setUp() {
        api = new MemberApi(web, localTokens);
        clock.set(Instant.now().minus(Duration.ofMinutes(10)));
    }

    @AfterEach
    void putTheClockBack() {
        clock.set(Instant.now());
    }

    @Test
    void shouldUpgradeAtOnceTakeGrowthBackOnRefundsAndDowngradeOnlyWhenThePeriodEnds() {
        String merchant = unique("merchant");
        api.program(merchant, "{" + LADDER + ", \"autoEnrollment\": {\"mode\": \"ANY_PAID_ORDER\"}, \"qualificationPeriod\": \"MONTH\"}");
        MemberKey member = new MemberKey(merchant, unique("buyer"));
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        OrderEvent first = order(member, "first", 60_000, now.minusSeconds(60));   // 600.00 CNY: 600 growth
        OrderEvent second = order(member, "second", 50_000, now.minusSeconds(50)); // 500.00 CNY: 500, 1,100 in all
        shop.publish(Topics.ORDERS, member, first);
        shop.publish(Topics.ORDERS, member, second);
        shop.publish(Topics.ORDERS, member, second); // the shop sends it twice: it counts once

        List<MemberEvent> events = shop.awaitEvents(Topics.MEMBERS, member, 2, ARRIVAL);
        assertThat(events).extracting(MemberEvent::getSequence).containsExactly(1L, 2L);
        assertThat(events.get(0).getPayload()).isInstanceOf(MemberEnrolled.class);
        MemberTierChanged upgrade = (MemberTierChanged) events.get(1).getPayload();
        assertThat(upgrade.getFromTier()).isEqualTo("regular");
        assertThat(upgrade.getToTier()).isEqualTo("silver");
        assertThat(upgrade.getDirection()).isEqualTo(TierChangeDirection.UPGRADE);
        assertThat(upgrade.getReason()).isEqualTo(TierChangeReason.GROWTH);
        assertThat(upgrade.getGrowthScore()).isEqualTo(1_100L);
        assertThat(events.get(1).getOccurredAt()).isEqualTo(second.getOccurredAt());

        // 300.00 of the second order refunded (3/5 of its 500), then the first cancelled: growth 1,100 - 300 - 600 = 200.
        shop.publish(Topics.ORDERS, member, OrderEventMother.refunded(merchant, member.customerId(), "second-" + member.customerId(), 30_000));
        shop.publish(Topics.ORDERS, member, OrderEventMother.cancelled(merchant, member.customerId(), "first-" + member.customerId()));
        clock.set(Instant.now());
        Awaitility.await().atMost(ARRIVAL).untilAsserted(() -> assertThat(api.member(merchant, member.customerId()))
                .containsEntry("growth", 200).containsEntry("tier", "silver")); // no downgrade mid-period
        assertThat(api.member(merchant, member.customerId()).get("nextTier")).isEqualTo(
                Map.of("code", "gold", "name", "gold", "threshold", 5000, "growthNeeded", 4800));

        // The month ends: reviewed at its end, the member goes down to what 200 earns.
        LocalDate nextMonth = LocalDate.now(SHANGHAI).withDayOfMonth(1).plusMonths(1);
        clock.set(nextMonth.atStartOfDay(SHANGHAI).plusMinutes(30).toInstant());
        List<MemberEvent> afterReview = shop.awaitEvents(Topics.MEMBERS, member, 3, ARRIVAL);
        assertThat(afterReview).hasSize(3);
        MemberTierChanged downgrade = (MemberTierChanged) afterReview.get(2).getPayload();
        assertThat(downgrade.getToTier()).isEqualTo("regular");
        assertThat(downgrade.getDirection()).isEqualTo(TierChangeDirection.DOWNGRADE);
        assertThat(downgrade.getReason()).isEqualTo(TierChangeReason.QUALIFICATION_PERIOD_END);
        assertThat(downgrade.getGrowthScore()).isEqualTo(200L);
        assertThat(afterReview.get(2).getOccurredAt()).isEqualTo(nextMonth.atStartOfDay(SHANGHAI).toInstant());
        assertThat(api.member(merchant, member.customerId())).containsEntry("tier", "regular")
                .containsEntry("tierReason", "QUALIFICATION_PERIOD_END");
    }

    @Test
    void shouldHoldAManualTierUntilItsDayAndThenApplyTheTierTheGrowthEarns() {
        String merchant = unique("merchant");
        api.program(merchant, "{" + LADDER + ", \"autoEnrollment\": {\"mode\": \"ANY_PAID_ORDER\"}}");
        MemberKey member = new MemberKey(merchant, unique("buyer"));
        shop.publish(Topics.ORDERS, member, order(member, "first", 120_000, Instant.now().truncatedTo(ChronoUnit.MILLIS)));
        shop.awaitEvents(Topics.MEMBERS, member, 2, ARRIVAL); // enrolled, then silver at 1,200
        clock.set(Instant.now());
        LocalDate until = LocalDate.now(SHANGHAI).plusDays(3);

        setTier(merchant, member.customerId(), "{\"tier\": \"gold\", \"until\": \"" + until + "\"}").expectStatus().isOk()
                .expectBody().jsonPath("$.tier").isEqualTo("gold").jsonPath("$.manualTier").isEqualTo("gold")
                .jsonPath("$.manualTierUntil").isEqualTo(until.toString()).jsonPath("$.growth").isEqualTo(1200);
        MemberTierChanged manual = (MemberTierChanged) shop.awaitEvents(Topics.MEMBERS, member, 3, ARRIVAL).get(2).getPayload();
        assertThat(manual.getReason()).isEqualTo(TierChangeReason.MANUAL);
        assertThat(manual.getFromTier()).isEqualTo("silver");
        assertThat(manual.getToTier()).isEqualTo("gold");

        setTier(merchant, member.customerId(), "{\"tier\": \"platinum\", \"until\": \"" + until + "\"}").expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("tier");
        setTier(merchant, member.customerId(), "{\"tier\": \"gold\", \"until\": \"" + LocalDate.now(SHANGHAI) + "\"}").expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("until");
        setTier(merchant, "nobody", "{\"tier\": \"gold\", \"until\": \"" + until + "\"}").expectStatus().isNotFound();
        // Another merchant (whose default ladder has only regular) cannot reach this member.
        setTier(unique("merchant-b"), member.customerId(), "{\"tier\": \"regular\", \"until\": \"" + until + "\"}").expectStatus().isNotFound();

        // Its day comes: the growth of 1,200 earns silver again.
        clock.set(until.atStartOfDay(SHANGHAI).plusMinutes(30).toInstant());
        List<MemberEvent> events = shop.awaitEvents(Topics.MEMBERS, member, 4, ARRIVAL);
        MemberTierChanged expired = (MemberTierChanged) events.get(3).getPayload();
        assertThat(expired.getReason()).isEqualTo(TierChangeReason.MANUAL_EXPIRED);
        assertThat(expired.getToTier()).isEqualTo("silver");
        assertThat(expired.getDirection()).isEqualTo(TierChangeDirection.DOWNGRADE);
        assertThat(api.member(merchant, member.customerId())).containsEntry("tier", "silver").containsEntry("manualTier", null);
    }

    @Test
    void shouldCountPointsAsGrowthWhenTheProgrammeSaysSo() {
        String merchant = unique("merchant");
        api.program(merchant, "{" + LADDER + ", \"growth\": {\"fromSpend\": false, \"fromPoints\": true}}");
        String customer = unique("buyer");
        MemberKey member = new MemberKey(merchant, customer);
        api.enrolled(merchant, "{\"customerId\": \"" + customer + "\", \"channel\": \"SHOP_HOME\"}");
        shop.publish(Topics.ORDERS, member, order(member, "spend-does-not-count", 900_000, Instant.now().truncatedTo(ChronoUnit.MILLIS)));
        PointsEvent earned = pointsEarned(member, 5_000);
        shop.publish(Topics.POINTS, member, earned);
        shop.publish(Topics.POINTS, member, earned); // redelivered: counted once

        List<MemberEvent> events = shop.awaitEvents(Topics.MEMBERS, member, 2, ARRIVAL);
        clock.set(Instant.now());
        assertThat(events).hasSize(2);
        MemberTierChanged upgrade = (MemberTierChanged) events.get(1).getPayload();
        assertThat(upgrade.getToTier()).isEqualTo("gold");
        assertThat(upgrade.getGrowthScore()).isEqualTo(5_000L);
        assertThat(api.member(merchant, customer)).containsEntry("growth", 5000).containsEntry("nextTier", null);
    }

    private WebTestClient.ResponseSpec setTier(String merchant, String customerId, String body) {
        return web.put().uri("/api/v1/members/{customer}/tier", customerId).headers(h -> h.setBearerAuth(api.token(merchant, "members:manage", "members:read")))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    private static OrderEvent order(MemberKey member, String orderId, long totalMinor, Instant at) {
        OrderEvent paid = OrderEventMother.paid(member.merchantId(), member.customerId(), orderId + "-" + member.customerId(),
                List.of(OrderEventMother.line("SKU-1", "drinks", 1, totalMinor)));
        paid.setOccurredAt(at);
        return paid;
    }

    private static PointsEvent pointsEarned(MemberKey member, long points) {
        return PointsEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                .setMerchantId(member.merchantId())
                .setCustomerId(member.customerId())
                .setSequence(1)
                .setPayload(PointsEarned.newBuilder().setEntryId("order:" + UUID.randomUUID()).setPoints(points).setSource(EarningSource.ORDER)
                        .setBalanceAfter(0).setPendingAfter(points).build())
                .build();
    }
}
