package io.fugou.member;

import static io.fugou.member.MemberApi.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.events.common.ConsentChannel;
import io.fugou.events.common.ConsentSource;
import io.fugou.events.customers.CustomerErasureRequested;
import io.fugou.events.customers.CustomerEvent;
import io.fugou.events.members.MemberConsentChanged;
import io.fugou.events.members.MemberEnrolled;
import io.fugou.events.members.MemberErased;
import io.fugou.events.members.MemberEvent;
import io.fugou.events.members.MemberProfile;
import io.fugou.events.members.MemberProfileUpdated;
import io.fugou.platform.security.LocalTokens;
import io.fugou.testsupport.CustomerEventMother;
import io.fugou.testsupport.KafkaTestClient;
import io.fugou.testsupport.MovableClock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Profiles and consent from the shop's events and the API, published field names only, and erased without a trace. */
@MemberIntegrationTest
class MemberProfileIT {

    private static final Duration ARRIVAL = Duration.ofSeconds(30);

    @Autowired
    private WebTestClient web;

    @Autowired
    private LocalTokens localTokens;

    @Autowired
    private DatabaseClient db;

    @Autowired
    private MovableClock clock;

    private final KafkaTestClient shop = new KafkaTestClient();

    private MemberApi api;

    @BeforeEach
    void setUp() {
        api = new MemberApi(web, localTokens);
        clock.set(Instant.now());
    }

    @AfterEach
    void putTheClockBack() {
        clock.set(Instant.now());
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldKeepTheProfileAndConsentPerChannelByTheTimeEachDecisionWasMade() {
        String merchant = unique("merchant");
        MemberKey member = new MemberKey(merchant, unique("buyer"));
        CustomerEvent registered = CustomerEventMother.registered(merchant, member.customerId()); // every channel granted
        Instant registeredAt = registered.getOccurredAt();
        shop.publish(Topics.CUSTOMERS, member, registered);

        List<MemberEvent> events = shop.awaitEvents(Topics.MEMBERS, member, 3, ARRIVAL);
        assertThat(events).extracting(event -> event.getPayload().getClass().getSimpleName())
                .containsExactly("MemberEnrolled", "MemberProfileUpdated", "MemberConsentChanged");
        MemberProfileUpdated updated = (MemberProfileUpdated) events.get(1).getPayload();
        assertThat(updated.getChangedFields()).containsExactly("birthday", "gender", "region", "marketingConsent", "consents");
        assertThat(updated.getProfileCompleted()).isTrue();
        assertThat(((MemberConsentChanged) events.get(2).getPayload()).getChannels()).containsExactly("sms", "app_push", "wechat", "email");
        List<MemberProfile> profiles = shop.awaitEvents(Topics.MEMBER_PROFILES, member, 1, ARRIVAL);
        assertThat(profiles).hasSize(1);
        assertThat(profiles.get(0).getBirthday()).isEqualTo(LocalDate.of(1990, 5, 20));
        assertThat(profiles.get(0).getRegion()).isEqualTo("CN-31");

        // SMS withdrawn by the unsubscribe link; then an older report that it was granted arrives late and changes nothing.
        Instant withdrawn = registeredAt.plusSeconds(60);
        shop.publish(Topics.CUSTOMERS, member, CustomerEventMother.consentChanged(merchant, member.customerId(), true,
                CustomerEventMother.consent(ConsentChannel.SMS, false, ConsentSource.UNSUBSCRIBE_LINK, withdrawn)));
        shop.publish(Topics.CUSTOMERS, member, CustomerEventMother.consentChanged(merchant, member.customerId(), true,
                CustomerEventMother.consent(ConsentChannel.SMS, true, ConsentSource.CHECKOUT, withdrawn.minusSeconds(30))));
        events = shop.awaitEvents(Topics.MEMBERS, member, 5, ARRIVAL);
        assertThat(events).hasSize(5);
        assertThat(((MemberProfileUpdated) events.get(3).getPayload()).getChangedFields()).containsExactly("consents");
        assertThat(((MemberConsentChanged) events.get(4).getPayload()).getChannels()).containsExactly("app_push", "wechat", "email");
        Map<String, Object> profile = (Map<String, Object>) api.member(merchant, member.customerId()).get("profile");
        assertThat((List<Map<String, Object>>) profile.get("consents")).filteredOn(consent -> consent.get("channel").equals("SMS"))
                .singleElement().satisfies(sms -> assertThat(sms).containsEntry("granted", false).containsEntry("source", "UNSUBSCRIBE_LINK"));

        // Over the API: a new region, the birthday removed; the answer repeats nothing personal.
        patchProfile(merchant, member.customerId(), "{\"region\": \"CN-11\", \"clear\": [\"BIRTHDAY\"]}").expectStatus().isNoContent()
                .expectBody().isEmpty();
        events = shop.awaitEvents(Topics.MEMBERS, member, 6, ARRIVAL);
        assertThat(((MemberProfileUpdated) events.get(5).getPayload()).getChangedFields()).containsExactly("birthday", "region");
        assertThat((Map<String, Object>) api.member(merchant, member.customerId()).get("profile"))
                .containsEntry("region", "CN-11").containsEntry("birthday", null).containsEntry("gender", "FEMALE");

        // Consent withdrawn for every channel at once (no channel named): no channel is left. (Later than the SMS decision above.)
        clock.set(withdrawn.plus(Duration.ofMinutes(1)));
        patchProfile(merchant, member.customerId(), "{\"marketingConsent\": false}").expectStatus().isNoContent();
        events = shop.awaitEvents(Topics.MEMBERS, member, 8, ARRIVAL);
        MemberConsentChanged withdrawnAll = (MemberConsentChanged) events.get(7).getPayload();
        assertThat(withdrawnAll.getMarketingConsent()).isFalse();
        assertThat(withdrawnAll.getChannels()).isEmpty();

        patchProfile(merchant, member.customerId(), "{\"birthday\": \"2999-01-01\"}").expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("birthday");
        patchProfile(merchant, member.customerId(), "{\"consents\": [{\"granted\": true}]}").expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("consents[0].channel");
        patchProfile(merchant, member.customerId(), "{\"nickname\": \"Bo\"}").expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("nickname");
        patchProfile(merchant, "nobody", "{\"region\": \"CN-11\"}").expectStatus().isNotFound();
        patchProfile(unique("merchant-b"), member.customerId(), "{\"region\": \"CN-11\"}").expectStatus().isNotFound();
    }

    @Test
    void shouldCarryTheConsentABuyerGaveBeforeJoiningIntoTheirMembership() {
        String merchant = unique("merchant");
        MemberKey buyer = new MemberKey(merchant, unique("buyer"));
        CustomerEvent registered = CustomerEventMother.registered(merchant, buyer.customerId(),
                List.of(CustomerEventMother.consent(ConsentChannel.WECHAT, true), CustomerEventMother.consent(ConsentChannel.SMS, false)));
        ((io.fugou.events.customers.CustomerRegistered) registered.getPayload()).setJoinedMembership(false);
        shop.publish(Topics.CUSTOMERS, buyer, registered);
        shop.publish(Topics.CUSTOMERS, buyer, CustomerEventMother.envelope(merchant, buyer.customerId())
                .setPayload(io.fugou.events.customers.MembershipRequested.newBuilder().setChannel(io.fugou.events.common.EnrollmentChannel.POSTER).build())
                .build());

        List<MemberEvent> events = shop.awaitEvents(Topics.MEMBERS, buyer, 2, ARRIVAL);
        assertThat(events).extracting(event -> event.getPayload().getClass().getSimpleName()).containsExactly("MemberEnrolled", "MemberConsentChanged");
        assertThat(((MemberConsentChanged) events.get(1).getPayload()).getChannels()).containsExactly("wechat");
        assertThat(shop.awaitEvents(Topics.MEMBER_PROFILES, buyer, 1, ARRIVAL).get(0).getRegion()).isEqualTo("CN-31");
    }

    @Test
    void shouldEraseEveryPersonalDetailOnceAndTombstoneTheProfile() {
        String merchant = unique("merchant");
        MemberKey member = new MemberKey(merchant, unique("buyer"));
        shop.publish(Topics.CUSTOMERS, member, CustomerEventMother.registered(merchant, member.customerId()));
        shop.awaitEvents(Topics.MEMBERS, member, 3, ARRIVAL);
        CustomerEvent erasure = CustomerEventMother.envelope(merchant, member.customerId())
                .setPayload(CustomerErasureRequested.newBuilder().setRequestId("erase-" + member.customerId()).build()).build();
        shop.publish(Topics.CUSTOMERS, member, erasure);
        shop.publish(Topics.CUSTOMERS, member, erasure); // the shop sends it twice

        List<MemberEvent> events = shop.awaitEvents(Topics.MEMBERS, member, 4, ARRIVAL);
        assertThat(events).hasSize(4);
        assertThat(((MemberErased) events.get(3).getPayload()).getRequestId()).isEqualTo("erase-" + member.customerId());
        shop.awaitRecord(Topics.MEMBER_PROFILES.name(), record -> record.key().equals(member.toString()) && record.value() == null, ARRIVAL);
        Map<String, Object> erased = api.member(merchant, member.customerId());
        assertThat(erased).containsEntry("profile", null).containsEntry("tier", "regular");
        assertThat((String) erased.get("erasedAt")).isNotNull();
        // Nothing personal left in the database: no profile row, and no profile waiting in the outbox.
        assertThat(count("select count(*) from member_profile where merchant_id = '" + merchant + "'")).isZero();
        Awaitility.await().atMost(ARRIVAL).untilAsserted(() -> assertThat(count("select count(*) from fugou_outbox where record_key = convert_to('"
                + member + "', 'UTF8') and record_value is not null and topic = '" + Topics.MEMBER_PROFILES.name() + "'")).isZero());

        // Over the API too: the membership stays, and another MemberErased says so again.
        web.delete().uri("/api/v1/members/{customer}/personal-data", member.customerId())
                .headers(h -> h.setBearerAuth(api.token(merchant, "members:write"))).exchange().expectStatus().isNoContent();
        assertThat(shop.awaitEvents(Topics.MEMBERS, member, 5, ARRIVAL).get(4).getPayload()).isInstanceOf(MemberErased.class);
        web.delete().uri("/api/v1/members/{customer}/personal-data", member.customerId())
                .headers(h -> h.setBearerAuth(api.token(unique("merchant-b"), "members:write"))).exchange().expectStatus().isNotFound();
        assertThat(events.get(0).getPayload()).isInstanceOf(MemberEnrolled.class);
    }

    private long count(String sql) {
        return db.sql(sql).map((row, meta) -> ((Number) row.get(0)).longValue()).one().block(Duration.ofSeconds(10));
    }

    private WebTestClient.ResponseSpec patchProfile(String merchant, String customerId, String body) {
        return web.patch().uri("/api/v1/members/{customer}/profile", customerId).headers(h -> h.setBearerAuth(api.token(merchant, "members:write")))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }
}
