package io.fugou.campaign;

import static io.fugou.campaign.CampaignApi.enrolled;
import static io.fugou.campaign.CampaignApi.memberEvent;
import static io.fugou.campaign.CampaignApi.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.events.campaigns.AssignmentGroup;
import io.fugou.events.campaigns.CampaignAssigned;
import io.fugou.events.campaigns.CampaignEvent;
import io.fugou.events.campaigns.SuppressionReason;
import io.fugou.events.common.EnrollmentChannel;
import io.fugou.events.members.MemberConsentChanged;
import io.fugou.events.notifications.NotificationEvent;
import io.fugou.events.notifications.NotificationRequested;
import io.fugou.platform.security.LocalTokens;
import io.fugou.testsupport.KafkaTestClient;
import io.fugou.testsupport.MovableClock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** One contact cap across campaigns, quiet hours that delay rather than drop, and no message without consent: each decision recorded. */
@CampaignIntegrationTest
class CampaignContactIT {

    private static final Duration ARRIVAL = Duration.ofSeconds(30);
    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

    @Autowired
    private WebTestClient web;

    @Autowired
    private LocalTokens localTokens;

    @Autowired
    private MovableClock clock;

    private final KafkaTestClient shop = new KafkaTestClient();

    private CampaignApi api;

    @BeforeEach
    void createTheApi() {
        api = new CampaignApi(web, localTokens);
    }

    @AfterEach
    void putTheClockBack() {
        clock.set(Instant.now());
    }

    @Test
    void shouldCapContactsAcrossCampaignsDelayInQuietHoursAndSendNothingWithoutConsent() {
        String merchant = unique("merchant");
        web.put().uri("/api/v1/contact-policy").headers(h -> h.setBearerAuth(api.token(merchant, "campaigns:write"))).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"maxContacts\": 1, \"windowHours\": 24, \"quietFrom\": \"22:00\", \"quietTo\": \"08:00\", \"timeZone\": \"Asia/Shanghai\"}")
                .exchange().expectStatus().isOk();
        for (String name : List.of("welcome-sms", "tips-sms")) {
            api.activate(merchant, "{\"name\": \"" + name + "\", \"trigger\": {\"type\": \"MEMBER_ENROLLED\"}, \"audience\": {\"everyone\": true}, "
                    + "\"reward\": {\"notification\": {\"channel\": \"SMS\", \"templateId\": \"" + name + "\", \"parameters\": {\"shop\": \"Bottles\"}}}}");
        }
        LocalDate today = LocalDate.now(SHANGHAI);
        // Tokens minted now (they carry the clock's time), before the clock moves.
        String reader = api.token(merchant, "campaigns:read");
        String writer = api.token(merchant, "campaigns:write");
        String otherReader = api.token(unique("merchant"), "campaigns:read");
        // Decided when processed: just before noon in Shanghai, outside the quiet hours, whatever time the test runs.
        clock.set(today.atTime(11, 59).atZone(SHANGHAI).toInstant());
        Instant noon = today.atTime(LocalTime.NOON).atZone(SHANGHAI).toInstant();
        Instant lateEvening = today.atTime(23, 0).atZone(SHANGHAI).toInstant();
        MemberKey daytime = new MemberKey(merchant, "daytime");
        MemberKey night = new MemberKey(merchant, "night");
        MemberKey noConsent = new MemberKey(merchant, "no-consent");
        join(daytime, true, noon);
        join(night, true, lateEvening);
        join(noConsent, false, noon);

        // Two campaigns, one contact a day: one sends, the other is capped, whichever came first.
        assertThat(outcomes(daytime)).containsExactlyInAnyOrder("TREATMENT", "SUPPRESSED:" + SuppressionReason.FREQUENCY_CAP);
        NotificationRequested sent = (NotificationRequested) shop.awaitEvents(Topics.NOTIFICATIONS, daytime, 1, ARRIVAL).get(0).getPayload();
        assertThat(sent.getNotBefore()).isNull();
        assertThat(sent.getParameters()).containsEntry("shop", "Bottles");
        // At 23:00 the message waits for 08:00 the next morning; it still counts towards the cap.
        assertThat(outcomes(night)).containsExactlyInAnyOrder("TREATMENT", "SUPPRESSED:" + SuppressionReason.FREQUENCY_CAP);
        List<NotificationEvent> delayed = shop.awaitEvents(Topics.NOTIFICATIONS, night, 1, ARRIVAL);
        assertThat(delayed).hasSize(1);
        assertThat(((NotificationRequested) delayed.get(0).getPayload()).getNotBefore())
                .isEqualTo(today.plusDays(1).atTime(8, 0).atZone(SHANGHAI).toInstant());
        // No consent to SMS: nothing sent, and the reason recorded for both campaigns.
        assertThat(outcomes(noConsent)).containsExactly("SUPPRESSED:" + SuppressionReason.NO_CONSENT, "SUPPRESSED:" + SuppressionReason.NO_CONSENT);
        assertThat(shop.readEvents(Topics.NOTIFICATIONS, noConsent, Duration.ofSeconds(1))).isEmpty();

        // A dry run of one more SMS campaign: three members match; none could be reached now (two at the cap, one without consent).
        String another = "{\"name\": \"more\", \"trigger\": {\"type\": \"MEMBER_ENROLLED\"}, \"audience\": %s, "
                + "\"reward\": {\"notification\": {\"channel\": \"SMS\", \"templateId\": \"more\"}}}";
        dryRun(reader, another.formatted("{\"everyone\": true}")).jsonPath("$.members").isEqualTo(3).jsonPath("$.capped").isEqualTo(3);
        dryRun(reader, another.formatted("{\"consentedTo\": [\"SMS\"]}")).jsonPath("$.members").isEqualTo(2).jsonPath("$.capped").isEqualTo(2);
        dryRun(otherReader, another.formatted("{\"everyone\": true}")).jsonPath("$.members").isEqualTo(0);

        web.put().uri("/api/v1/contact-policy").headers(h -> h.setBearerAuth(writer)).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"maxContacts\": 1}").exchange()
                .expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].field").isEqualTo("windowHours");
        web.get().uri("/api/v1/contact-policy").headers(h -> h.setBearerAuth(otherReader)).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.maxContacts").doesNotExist();
    }

    private WebTestClient.BodyContentSpec dryRun(String readerToken, String campaign) {
        return web.post().uri("/api/v1/campaigns/dry-run").headers(h -> h.setBearerAuth(readerToken))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(campaign).exchange().expectStatus().isOk().expectBody();
    }

    private List<String> outcomes(MemberKey member) {
        List<CampaignEvent> events = shop.awaitEvents(Topics.CAMPAIGNS, member, 2, ARRIVAL);
        assertThat(events).hasSize(2);
        return events.stream().map(event -> (CampaignAssigned) event.getPayload())
                .map(assigned -> assigned.getGroup() + (assigned.getGroup() == AssignmentGroup.SUPPRESSED ? ":" + assigned.getSuppressionReason() : ""))
                .toList();
    }

    private void join(MemberKey member, boolean smsConsent, Instant at) {
        shop.publish(Topics.MEMBERS, member, memberEvent(member, at.minusSeconds(1), MemberConsentChanged.newBuilder().setMarketingConsent(smsConsent)
                .setChannels(smsConsent ? List.of("sms") : List.of()).build()));
        shop.publish(Topics.MEMBERS, member, enrolled(member, EnrollmentChannel.SHOP_HOME, null, at));
    }
}
