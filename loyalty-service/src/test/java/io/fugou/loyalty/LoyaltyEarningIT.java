package io.fugou.loyalty;

import static org.assertj.core.api.Assertions.assertThat;

import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.events.campaigns.BonusPointsGranted;
import io.fugou.events.campaigns.CampaignEvent;
import io.fugou.events.points.EarningSource;
import io.fugou.events.points.PointsEarned;
import io.fugou.events.points.PointsEvent;
import io.fugou.platform.security.LocalTokens;
import io.fugou.testsupport.KafkaTestClient;
import io.fugou.testsupport.MovableClock;
import io.fugou.testsupport.TestTokens;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
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

    private String token(String merchant, String... scopes) {
        return new TestTokens(localTokens).forMerchant(merchant, scopes);
    }

    private WebTestClient.ResponseSpec interact(MemberKey member, String kind, String id) {
        return web.post().uri("/api/v1/members/{c}/interactions", member.customerId())
                .headers(h -> h.setBearerAuth(token(member.merchantId(), "loyalty:earn"))).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"kind\": \"" + kind + "\", \"interactionId\": \"" + id + "\"}").exchange();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> points(MemberKey member) {
        return web.get().uri("/api/v1/members/{c}/points", member.customerId())
                .headers(h -> h.setBearerAuth(token(member.merchantId(), "loyalty:read"))).exchange()
                .expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
    }

    @Test
    void shouldCreditInteractionsOnceEachWithinTheirCaps() {
        MemberKey member = new MemberKey("merchant-" + UUID.randomUUID().toString().substring(0, 8), "buyer");
        web.post().uri("/api/v1/earning-rules/versions").headers(h -> h.setBearerAuth(token(member.merchantId(), "loyalty:write")))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("""
                        {"rules": {"interactions": [{"kind": "review", "points": 10, "maxPerDay": 2},
                                                    {"kind": "profile-completed", "points": 50, "maxPerMember": 1}]}}""")
                .exchange().expectStatus().isCreated();

        interact(member, "review", "r1").expectStatus().isCreated().expectBody().jsonPath("$.points").isEqualTo(10);
        interact(member, "review", "r2").expectStatus().isCreated().expectBody().jsonPath("$.availableAfter").isEqualTo(20);
        interact(member, "review", "r3").expectStatus().isCreated().expectBody()
                .jsonPath("$.points").isEqualTo(0).jsonPath("$.cappedBy").isEqualTo("maxPerDay");
        interact(member, "review", "r1").expectStatus().isEqualTo(409);
        interact(member, "profile-completed", "p1").expectStatus().isCreated().expectBody().jsonPath("$.points").isEqualTo(50);
        interact(member, "profile-completed", "p2").expectStatus().isCreated().expectBody().jsonPath("$.cappedBy").isEqualTo("maxPerMember");
        interact(member, "share", "s1").expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].field").isEqualTo("kind");
        web.post().uri("/api/v1/members/{c}/interactions", member.customerId())
                .headers(h -> h.setBearerAuth(token(member.merchantId(), "loyalty:read"))).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"kind\": \"review\", \"interactionId\": \"r9\"}").exchange().expectStatus().isForbidden();

        assertThat(points(member)).containsEntry("available", 70).containsEntry("pending", 0);
        List<PointsEvent> events = shop.awaitEvents(Topics.POINTS, member, 3, ARRIVAL);
        assertThat(events).extracting(event -> ((PointsEarned) event.getPayload()).getSource()).containsOnly(EarningSource.INTERACTION);
        assertThat(events).extracting(event -> ((PointsEarned) event.getPayload()).getPoints()).containsExactly(10L, 10L, 50L);
        assertThat(((PointsEarned) events.get(0).getPayload()).getRuleIds()).contains("interaction:review");
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
        assertThat(points(member)).containsEntry("available", 88);
    }
}
