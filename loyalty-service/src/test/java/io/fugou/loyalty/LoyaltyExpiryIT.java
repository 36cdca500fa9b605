package io.fugou.loyalty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.events.points.PointsEarned;
import io.fugou.events.points.PointsEvent;
import io.fugou.events.points.PointsExpired;
import io.fugou.events.points.PointsExpiringSoon;
import io.fugou.events.points.PointsRedeemed;
import io.fugou.loyalty.points.PointsExpiry;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.security.LocalTokens;
import io.fugou.testsupport.KafkaTestClient;
import io.fugou.testsupport.MovableClock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;

/** Points expire oldest first, after a warning, once: with the clock moved through the merchant's days. */
@LoyaltyIntegrationTest
class LoyaltyExpiryIT {

    private static final Duration ARRIVAL = Duration.ofSeconds(30);
    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

    @Autowired
    private WebTestClient web;

    @Autowired
    private LocalTokens localTokens;

    @Autowired
    private MovableClock clock;

    @Autowired
    private PointsExpiry expiry;

    @Autowired
    private ReactiveTransactionManager transactions;

    private final KafkaTestClient shop = new KafkaTestClient();

    private LoyaltyApi api;

    @BeforeEach
    void client() {
        api = new LoyaltyApi(web, localTokens);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> get(MemberKey member, String uri) {
        return web.get().uri(uri).headers(h -> h.setBearerAuth(api.token(member.merchantId(), "loyalty:read"))).exchange()
                .expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
    }

    @Test
    void shouldWarnThenExpireWhatIsLeftOfTheOldestPointsOnce() {
        MemberKey member = new MemberKey("merchant-" + UUID.randomUUID().toString().substring(0, 8), "buyer");
        api.addRules(member.merchantId(), null, "{\"returnWindowDays\": 0, \"pointsExpireAfterDays\": 30, \"expiringSoonDays\": 7}");
        Instant start = clock.instant();
        shop.publish(Topics.ORDERS, member, LoyaltyApi.paidAt(member, "older", start));
        shop.publish(Topics.ORDERS, member, LoyaltyApi.paidAt(member, "newer", start.plus(Duration.ofDays(10))));
        List<PointsEvent> earned = shop.awaitEvents(Topics.POINTS, member, 2, ARRIVAL);
        Instant olderExpires = ((PointsEarned) earned.get(0).getPayload()).getExpiresAt();
        LocalDate lastDay = start.atZone(SHANGHAI).toLocalDate().plusDays(30);
        assertThat(olderExpires).as("the end of the 30th day after").isEqualTo(lastDay.plusDays(1).atStartOfDay(SHANGHAI).toInstant());

        api.redeem(member, 100);

        Map<String, Object> expiring = get(member, "/api/v1/members/" + member.customerId() + "/points/expiring?days=60");
        assertThat(expiring).containsEntry("points", 158 + 258);
        assertThat((List<?>) expiring.get("lots")).as("the mug took its 100 from the older points").hasSize(2)
                .first().isEqualTo(Map.of("expiresAt", olderExpires.toString(), "points", 158));
        try {
            clock.set(lastDay.minusDays(7).atStartOfDay(SHANGHAI).plusHours(1).toInstant());

            List<PointsEvent> warned = shop.awaitEvents(Topics.POINTS, member, 4, ARRIVAL);
            PointsExpiringSoon soon = (PointsExpiringSoon) warned.get(3).getPayload();
            assertThat(soon.getPoints()).isEqualTo(158);
            assertThat(soon.getExpiresAt()).isEqualTo(olderExpires);
            assertThat(get(member, "/api/v1/members/" + member.customerId() + "/points")).extractingByKey("expiringSoon")
                    .isEqualTo(Map.of("points", 158, "days", 7, "firstAt", olderExpires.toString()));

            clock.set(olderExpires.plus(Duration.ofHours(1)));

            await().atMost(ARRIVAL).untilAsserted(() -> assertThat(get(member, "/api/v1/members/" + member.customerId() + "/points"))
                    .containsEntry("available", 258).containsEntry("lifetime", 516));
            List<PointsEvent> events = shop.awaitEvents(Topics.POINTS, member, 5, ARRIVAL);
            assertThat(events).extracting(PointsEvent::getSequence).containsExactly(1L, 2L, 3L, 4L, 5L);
            assertThat(events.get(2).getPayload()).isInstanceOf(PointsRedeemed.class);
            PointsExpired expired = (PointsExpired) events.get(4).getPayload();
            assertThat(expired.getPoints()).isEqualTo(158);
            assertThat(expired.getBalanceAfter()).isEqualTo(258);

            TransactionalOperator.create(transactions)
                    .transactional(expiry.run(new MerchantId(member.merchantId()), olderExpires.atZone(SHANGHAI).toLocalDate())).block();
            assertThat(get(member, "/api/v1/members/" + member.customerId() + "/points")).as("run again, it expires nothing twice")
                    .containsEntry("available", 258);
        } finally {
            clock.set(Instant.now());
        }
    }
}
