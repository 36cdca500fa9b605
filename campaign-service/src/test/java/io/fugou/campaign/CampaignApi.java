package io.fugou.campaign;

import io.fugou.events.Topics;
import io.fugou.events.members.MembershipProgram;
import io.fugou.testsupport.KafkaTestClient;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import io.fugou.events.MemberKey;
import io.fugou.events.common.EnrollmentChannel;
import io.fugou.events.members.MemberEnrolled;
import io.fugou.events.members.MemberEvent;
import io.fugou.platform.security.LocalTokens;
import io.fugou.testsupport.TestTokens;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** What the campaign tests do again and again: a marketer's campaigns over HTTP, and member-service's events as it would send them. */
final class CampaignApi {

    private final WebTestClient web;
    private final TestTokens tokens;

    CampaignApi(WebTestClient web, LocalTokens localTokens) {
        this.web = web;
        this.tokens = new TestTokens(localTokens);
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    String token(String merchant, String... scopes) {
        return tokens.forMerchant(merchant, scopes);
    }

    /** Creates and activates a campaign; its id. */
    @SuppressWarnings("unchecked")
    String activate(String merchant, String body) {
        Map<String, Object> created = web.post().uri("/api/v1/campaigns").headers(h -> h.setBearerAuth(token(merchant, "campaigns:write")))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
                .expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
        String id = (String) created.get("campaignId");
        web.post().uri("/api/v1/campaigns/{id}/activate", id).headers(h -> h.setBearerAuth(token(merchant, "campaigns:write"))).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("ACTIVE");
        return id;
    }

    /**
     * The merchant's membership programme has these tiers, as member-service publishes it; returns once campaign-service
     * accepts an audience of the last of them.
     */
    void program(String merchant, String... tiers) {
        new KafkaTestClient().publish(Topics.MEMBERSHIP_PROGRAMS, merchant, MembershipProgram.newBuilder().setMerchantId(merchant)
                .setUpdatedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS)).setTiers(List.of(tiers)).build());
        String dryRun = "{\"name\": \"x\", \"trigger\": {\"type\": \"MEMBER_ENROLLED\"}, \"audience\": {\"tiers\": [\"" + tiers[tiers.length - 1]
                + "\"]}, \"reward\": {\"bonusPoints\": 1}}";
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> web.post().uri("/api/v1/campaigns/dry-run")
                .headers(h -> h.setBearerAuth(token(merchant, "campaigns:read"))).contentType(MediaType.APPLICATION_JSON).bodyValue(dryRun)
                .exchange().returnResult(String.class).getStatus().value() == 200);
    }

    /** A member-service event about the member at that time. */
    static MemberEvent memberEvent(MemberKey member, Instant at, SpecificRecord payload) {
        return MemberEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(at.truncatedTo(ChronoUnit.MILLIS))
                .setMerchantId(member.merchantId()).setCustomerId(member.customerId()).setSequence(0).setPayload(payload).build();
    }

    /** The member joined (in the regular tier) through that channel, referred by {@code referrer} (null: nobody). */
    static MemberEvent enrolled(MemberKey member, EnrollmentChannel channel, String referrer, Instant at) {
        return memberEvent(member, at, MemberEnrolled.newBuilder().setChannel(channel).setTier("regular").setReferrerCustomerId(referrer).build());
    }
}
