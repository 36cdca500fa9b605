package io.fugou.member;

import static io.fugou.member.MemberApi.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.events.common.EnrollmentChannel;
import io.fugou.events.customers.CustomerEvent;
import io.fugou.events.customers.CustomerRegistered;
import io.fugou.events.customers.MembershipRequested;
import io.fugou.events.members.MemberEnrolled;
import io.fugou.events.members.MemberEvent;
import io.fugou.events.orders.OrderEvent;
import io.fugou.member.recruitment.RecruitmentCodes;
import io.fugou.platform.security.LocalTokens;
import io.fugou.testsupport.CustomerEventMother;
import io.fugou.testsupport.KafkaTestClient;
import io.fugou.testsupport.OrderEventMother;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Buyers become members over the API, from the shop's events and by buying, each once, attributed to how they came. */
@MemberIntegrationTest
class MemberEnrollmentIT {

    private static final Duration ARRIVAL = Duration.ofSeconds(30);

    @Autowired
    private WebTestClient web;

    @Autowired
    private LocalTokens localTokens;

    private final KafkaTestClient shop = new KafkaTestClient();

    private MemberApi api;

    @BeforeEach
    void setUp() {
        api = new MemberApi(web, localTokens);
    }

    @Test
    void shouldAttributeEveryEnrollmentToItsChannelAndCodeAndCountThem() {
        String merchant = unique("merchant");
        List<String> customers = new ArrayList<>();
        for (EnrollmentChannel channel : RecruitmentCodes.CODE_CHANNELS) {
            String code = channel.name().replace('_', '-') + "-2027";
            api.code(merchant, "{\"code\": \"" + code + "\", \"channel\": \"" + channel + "\", \"campaignId\": \"spring\", \"name\": \"" + channel + "\"}");
            String customer = unique("buyer");
            customers.add(customer);
            Map<String, Object> member = api.enrolled(merchant, "{\"customerId\": \"" + customer + "\", \"recruitmentCode\": \"" + code + "\"}");
            assertThat(member).containsEntry("channel", channel.name()).containsEntry("recruitmentCode", code).containsEntry("campaignId", "spring")
                    .containsEntry("tier", "regular");
        }
        // A drawn code, and two enrollments without a code.
        Map<String, Object> drawn = api.code(merchant, "{\"channel\": \"POSTER\"}");
        assertThat((String) drawn.get("code")).matches("[0-9A-HJKMNP-TV-Z]{8}");
        api.enrolled(merchant, "{\"customerId\": \"" + unique("buyer") + "\", \"recruitmentCode\": \"" + drawn.get("code") + "\"}");
        api.enrolled(merchant, "{\"customerId\": \"" + unique("buyer") + "\", \"channel\": \"POSTER\"}");
        api.enrolled(merchant, "{\"customerId\": \"" + unique("buyer") + "\", \"channel\": \"POSTER\", \"recruitmentCode\": \"QR-CODE-2027\"}");

        api.get(merchant, "/api/v1/recruitment-codes/{code}", "QR-CODE-2027").expectStatus().isOk()
                .expectBody().jsonPath("$.enrollments").isEqualTo(2).jsonPath("$.channel").isEqualTo("QR_CODE");
        api.get(merchant, "/api/v1/enrollments/counts?groupBy=channel").expectStatus().isOk()
                .expectBody()
                .jsonPath("$.total").isEqualTo(RecruitmentCodes.CODE_CHANNELS.size() + 3)
                .jsonPath("$.rows[0].channel").isEqualTo("POSTER") // its code, the drawn one and one without a code
                .jsonPath("$.rows[0].members").isEqualTo(3)
                .jsonPath("$.rows[0].recruitmentCode").doesNotExist();
        api.get(merchant, "/api/v1/enrollments/counts?groupBy=recruitmentCode&groupBy=day").expectStatus().isOk()
                .expectBody()
                .jsonPath("$.rows[?(@.recruitmentCode == 'QR-CODE-2027')].members").isEqualTo(List.of(2))
                .jsonPath("$.rows[?(@.recruitmentCode == 'POSTER-2027')].day").isEqualTo(List.of(java.time.LocalDate.now(java.time.ZoneId.of("Asia/Shanghai")).toString()));
        api.get(merchant, "/api/v1/members?channel=QR_CODE").expectStatus().isOk()
                .expectBody().jsonPath("$.items.length()").isEqualTo(2);
        api.get(merchant, "/api/v1/members?recruitmentCode=MEMBER-CODE-2027").expectStatus().isOk()
                .expectBody().jsonPath("$.items.length()").isEqualTo(1);

        MemberKey first = new MemberKey(merchant, customers.get(0));
        List<MemberEvent> events = shop.awaitEvents(Topics.MEMBERS, first, 1, ARRIVAL);
        assertThat(events).hasSize(1);
        MemberEnrolled enrolled = (MemberEnrolled) events.get(0).getPayload();
        assertThat(events.get(0).getSequence()).isEqualTo(1L);
        assertThat(enrolled.getRecruitmentCode()).isEqualTo(RecruitmentCodes.CODE_CHANNELS.iterator().next().name().replace('_', '-') + "-2027");
        assertThat(enrolled.getCampaignId()).isEqualTo("spring");
        assertThat(enrolled.getTier()).isEqualTo("regular");
        assertThat(enrolled.getShareCode()).isEqualTo(api.member(merchant, customers.get(0)).get("shareCode"));
    }

    @Test
    void shouldRecordTheReferrerByShareCodeOrCustomerId() {
        String merchant = unique("merchant");
        String referrer = unique("referrer");
        String shareCode = (String) api.enrolled(merchant, "{\"customerId\": \"" + referrer + "\", \"channel\": \"SHOP_HOME\"}").get("shareCode");
        String byCode = unique("friend");
        String byId = unique("friend");

        assertThat(api.enrolled(merchant, "{\"customerId\": \"" + byCode + "\", \"referralCode\": \"" + shareCode + "\"}"))
                .containsEntry("channel", "REFERRAL").containsEntry("referrerCustomerId", referrer);
        assertThat(api.enrolled(merchant, "{\"customerId\": \"" + byId + "\", \"channel\": \"SHARED_LINK\", \"referrerCustomerId\": \"" + referrer + "\"}"))
                .containsEntry("channel", "SHARED_LINK").containsEntry("referrerCustomerId", referrer);
        // From the shop's events too: a registration through the member's shared code.
        String byEvent = unique("friend");
        CustomerEvent registered = CustomerEventMother.registered(merchant, byEvent);
        CustomerRegistered payload = (CustomerRegistered) registered.getPayload();
        payload.setChannel(EnrollmentChannel.SHARED_LINK);
        payload.setReferralCode(shareCode);
        shop.publish(Topics.CUSTOMERS, new MemberKey(merchant, byEvent), registered);

        List<MemberEvent> events = shop.awaitEvents(Topics.MEMBERS, new MemberKey(merchant, byEvent), 1, ARRIVAL);
        assertThat(((MemberEnrolled) events.get(0).getPayload()).getReferrerCustomerId()).isEqualTo(referrer);
        assertThat(((MemberEnrolled) events.get(0).getPayload()).getChannel()).isEqualTo(EnrollmentChannel.SHARED_LINK);
        assertThat(api.member(merchant, referrer)).containsEntry("referrals", 3);
        api.get(merchant, "/api/v1/members?referrerCustomerId={referrer}", referrer).expectStatus().isOk()
                .expectBody().jsonPath("$.items.length()").isEqualTo(3);
        // Nobody refers themselves, and a share code must be a member's.
        api.enroll(merchant, "{\"customerId\": \"" + unique("buyer") + "\", \"referralCode\": \"NOSUCHCODE\"}")
                .expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].field").isEqualTo("referralCode");
        api.enroll(merchant, "{\"customerId\": \"" + unique("buyer") + "\", \"channel\": \"SHARED_LINK\", \"referrerCustomerId\": \"not-a-member\"}")
                .expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].field").isEqualTo("referrerCustomerId");
    }

    @Test
    void shouldEnrollOnceUnderARetriedRequestAndARedeliveredEvent() {
        String merchant = unique("merchant");
        String customer = unique("buyer");
        String body = "{\"customerId\": \"" + customer + "\", \"channel\": \"PRODUCT_PAGE\"}";
        Map<String, Object> first = api.enrolled(merchant, body);
        // Asked again (a shop that lost the answer): the member as they are, nothing new.
        api.enroll(merchant, "{\"customerId\": \"" + customer + "\", \"channel\": \"POSTER\"}").expectStatus().isOk()
                .expectBody().jsonPath("$.shareCode").isEqualTo(first.get("shareCode")).jsonPath("$.channel").isEqualTo("PRODUCT_PAGE");
        // The same request under an Idempotency-Key: the first answer replayed.
        String keyed = unique("buyer");
        for (int attempt = 0; attempt < 2; attempt++) {
            web.post().uri("/api/v1/members").headers(h -> {
                        h.setBearerAuth(api.token(merchant, "members:write"));
                        h.set("Idempotency-Key", "enroll-" + keyed);
                    })
                    .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"customerId\": \"" + keyed + "\", \"channel\": \"SHOP_HOME\"}")
                    .exchange().expectStatus().isCreated();
        }
        // The shop's events: a registration that joins and a request to join, each delivered three times.
        String fromEvents = unique("buyer");
        MemberKey buyer = new MemberKey(merchant, fromEvents);
        CustomerEvent registered = CustomerEventMother.registered(merchant, fromEvents);
        CustomerEvent requested = CustomerEventMother.envelope(merchant, fromEvents)
                .setPayload(MembershipRequested.newBuilder().setChannel(EnrollmentChannel.POSTER).build()).build();
        for (int delivery = 0; delivery < 3; delivery++) {
            shop.publish(Topics.CUSTOMERS, buyer, registered);
            shop.publish(Topics.CUSTOMERS, buyer, requested);
        }

        for (MemberKey member : List.of(new MemberKey(merchant, customer), new MemberKey(merchant, keyed))) {
            List<MemberEvent> events = shop.awaitEvents(Topics.MEMBERS, member, 1, ARRIVAL);
            assertThat(events).as("%s's events", member).hasSize(1);
            assertThat(events.get(0).getPayload()).isInstanceOf(MemberEnrolled.class);
        }
        // Enrolled once; the registration's profile and consent once too, whatever was delivered again.
        assertThat(shop.awaitEvents(Topics.MEMBERS, buyer, 3, ARRIVAL)).extracting(event -> event.getPayload().getClass().getSimpleName())
                .containsExactly("MemberEnrolled", "MemberProfileUpdated", "MemberConsentChanged");
        assertThat(api.member(merchant, fromEvents)).containsEntry("channel", "SHOP_HOME"); // the registration came first
        api.get(merchant, "/api/v1/enrollments/counts").expectStatus().isOk().expectBody().jsonPath("$.total").isEqualTo(3);
    }

    @Test
    void shouldEnrollBuyersByTheAutoEnrollmentRuleInForceAtTheOrdersTime() {
        String spendMerchant = unique("merchant");
        api.program(spendMerchant, "{\"autoEnrollment\": {\"mode\": \"MINIMUM_SPEND\", \"minimumSpend\": [{\"currency\": \"CNY\", \"amountMinor\": 10000}]}}");
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String buyer = unique("buyer");
        MemberKey member = new MemberKey(spendMerchant, buyer);
        OrderEvent small = order(member, "small", 9999, now.minusSeconds(5));
        OrderEvent usd = order(member, "in-dollars", 50000, now.minusSeconds(4));
        ((io.fugou.events.orders.OrderPaid) usd.getPayload()).getTotal().setCurrency("USD");
        OrderEvent enough = order(member, "enough", 10000, now.minusSeconds(3));
        shop.publish(Topics.ORDERS, member, small);
        shop.publish(Topics.ORDERS, member, usd);
        shop.publish(Topics.ORDERS, member, enough);
        shop.publish(Topics.ORDERS, member, order(member, "again", 20000, now.minusSeconds(2)));

        List<MemberEvent> events = shop.awaitEvents(Topics.MEMBERS, member, 1, ARRIVAL);
        assertThat(events).hasSize(1);
        MemberEnrolled enrolled = (MemberEnrolled) events.get(0).getPayload();
        assertThat(enrolled.getChannel()).isEqualTo(EnrollmentChannel.SPEND_THRESHOLD);
        assertThat(enrolled.getEnrollmentRuleId()).isEqualTo("auto-enrollment-v1");
        assertThat(events.get(0).getOccurredAt()).isEqualTo(now.minusSeconds(3)); // the first order that reached the amount

        // Any paid order, from a version in force only later: an order before it enrolls nobody, one after it does.
        String anyMerchant = unique("merchant");
        Instant later = now.plus(Duration.ofHours(1));
        web.post().uri("/api/v1/membership-program/versions").headers(h -> h.setBearerAuth(api.token(anyMerchant, "members:manage")))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"effectiveFrom\": \"" + later + "\", \"program\": {\"autoEnrollment\": {\"mode\": \"ANY_PAID_ORDER\"}}}")
                .exchange().expectStatus().isCreated();
        MemberKey early = new MemberKey(anyMerchant, unique("buyer"));
        MemberKey afterwards = new MemberKey(anyMerchant, unique("buyer"));
        shop.publish(Topics.ORDERS, early, order(early, "before-the-rule", 100, now));
        shop.publish(Topics.ORDERS, afterwards, order(afterwards, "under-the-rule", 100, later.plusSeconds(1)));
        shop.publish(Topics.ORDERS, early, order(early, "now-under-the-rule", 100, later.plusSeconds(2)));

        List<MemberEvent> earlyEvents = shop.awaitEvents(Topics.MEMBERS, early, 1, ARRIVAL);
        assertThat(earlyEvents.get(0).getOccurredAt()).isEqualTo(later.plusSeconds(2));
        assertThat(((MemberEnrolled) earlyEvents.get(0).getPayload()).getChannel()).isEqualTo(EnrollmentChannel.PURCHASE);
        assertThat(shop.awaitEvents(Topics.MEMBERS, afterwards, 1, ARRIVAL)).hasSize(1);
        Awaitility.await().atMost(ARRIVAL).untilAsserted(() -> assertThat(api.member(anyMerchant, afterwards.customerId()))
                .containsEntry("channel", "PURCHASE").containsEntry("enrollmentRuleId", "auto-enrollment-v1"));
    }

    private static OrderEvent order(MemberKey member, String orderId, long totalMinor, Instant at) {
        OrderEvent paid = OrderEventMother.paid(member.merchantId(), member.customerId(), orderId + "-" + member.customerId(),
                List.of(OrderEventMother.line("SKU-1", "drinks", 1, totalMinor)));
        paid.setOccurredAt(at);
        return paid;
    }
}
