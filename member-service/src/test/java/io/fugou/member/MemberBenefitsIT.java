package io.fugou.member;

import static io.fugou.member.MemberApi.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.events.lifecycle.LifecycleEvent;
import io.fugou.events.lifecycle.LifecycleStage;
import io.fugou.events.lifecycle.MemberLifecycleChanged;
import io.fugou.events.members.MemberEnrolled;
import io.fugou.events.members.MemberEvent;
import io.fugou.events.members.PaidMembershipEndReason;
import io.fugou.events.members.PaidMembershipLapsed;
import io.fugou.events.members.PaidMembershipRenewed;
import io.fugou.events.members.PaidMembershipStarted;
import io.fugou.events.orders.OrderEvent;
import io.fugou.platform.security.LocalTokens;
import io.fugou.testsupport.KafkaTestClient;
import io.fugou.testsupport.MovableClock;
import io.fugou.testsupport.OrderEventMother;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Tier benefits with monthly quotas, paid memberships from start to lapse, and the lifecycle stage analytics computes. */
@MemberIntegrationTest
class MemberBenefitsIT {

    private static final Duration ARRIVAL = Duration.ofSeconds(30);
    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

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
    void shouldGiveEachTierItsMonthlyQuotaOnceAUseAndAfreshEachMonth() {
        String merchant = unique("merchant");
        api.program(merchant, "{\"tiers\": [{\"code\": \"regular\", \"threshold\": 0, \"benefits\": {\"monthlyQuotas\": [{\"benefit\": \"free-service\", \"perMonth\": 1}]}},"
                + " {\"code\": \"silver\", \"threshold\": 1000, \"benefits\": {\"discountPercent\": 5, \"monthlyQuotas\": [{\"benefit\": \"free-service\", \"perMonth\": 2}]}},"
                + " {\"code\": \"gold\", \"threshold\": 5000, \"benefits\": {\"discountPercent\": 10, \"freeShipping\": true,"
                + " \"monthlyQuotas\": [{\"benefit\": \"free-service\", \"perMonth\": 3}]}}]}");
        clock.set(Instant.now());
        String customer = unique("buyer");
        api.enrolled(merchant, "{\"customerId\": \"" + customer + "\", \"channel\": \"SHOP_HOME\"}");

        use(merchant, customer, "free-service", "ticket-1").expectStatus().isCreated().expectBody().jsonPath("$.after.left").isEqualTo(0);
        use(merchant, customer, "free-service", "ticket-1").expectStatus().isOk().expectBody().jsonPath("$.created").isEqualTo(false)
                .jsonPath("$.after.used").isEqualTo(1);
        use(merchant, customer, "free-service", "ticket-2").expectStatus().isEqualTo(409);
        use(merchant, customer, "massage", "ticket-3").expectStatus().isEqualTo(409);
        use(unique("merchant-b"), customer, "free-service", "ticket-4").expectStatus().isNotFound();

        // Gold by hand: three a month, one used.
        web.put().uri("/api/v1/members/{customer}/tier", customer).headers(h -> h.setBearerAuth(api.token(merchant, "members:manage")))
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"tier\": \"gold\", \"until\": \"" + LocalDate.now(SHANGHAI).plusDays(62) + "\"}")
                .exchange().expectStatus().isOk();
        Map<String, Object> member = api.member(merchant, customer);
        assertThat(member.get("benefits")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("discountPercent", 10).containsEntry("freeShipping", true);
        assertThat(member.get("quotas")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST).singleElement()
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP).containsEntry("perMonth", 3).containsEntry("left", 2);

        // Next month, all three again, and ten racing uses take exactly three.
        clock.set(LocalDate.now(SHANGHAI).withDayOfMonth(1).plusMonths(1).atStartOfDay(SHANGHAI).plusHours(1).toInstant());
        api.get(merchant, "/api/v1/members/{customer}/quotas", customer).expectStatus().isOk()
                .expectBody().jsonPath("$[0].used").isEqualTo(0).jsonPath("$[0].left").isEqualTo(3);
        List<CompletableFuture<Integer>> racing = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String useId = "race-" + i;
            racing.add(CompletableFuture.supplyAsync(() -> use(merchant, customer, "free-service", useId).returnResult(Map.class).getStatus().value()));
        }
        List<Integer> statuses = racing.stream().map(CompletableFuture::join).toList();
        assertThat(statuses).filteredOn(status -> status == 201).hasSize(3);
        assertThat(statuses).filteredOn(status -> status == 409).hasSize(7);
    }

    @Test
    void shouldStartRenewRefundAndLapseAPaidMembership() {
        String merchant = unique("merchant");
        api.program(merchant, "{\"paidPlans\": [{\"planId\": \"plus\", \"name\": \"PLUS\", \"sku\": \"PLUS-1Y\", \"price\": {\"currency\": \"CNY\", "
                + "\"amountMinor\": 8800}, \"termMonths\": 12, \"benefits\": {\"freeShipping\": true, "
                + "\"monthlyQuotas\": [{\"benefit\": \"free-service\", \"perMonth\": 5}]}}]}");
        MemberKey buyer = new MemberKey(merchant, unique("buyer"));
        Instant firstAt = Instant.now().minusSeconds(20).truncatedTo(ChronoUnit.MILLIS);
        shop.publish(Topics.ORDERS, buyer, planOrder(buyer, "first", firstAt));

        List<MemberEvent> events = shop.awaitEvents(Topics.MEMBERS, buyer, 2, ARRIVAL);
        assertThat(((MemberEnrolled) events.get(0).getPayload()).getEnrollmentRuleId()).isEqualTo("paid-plan:plus");
        PaidMembershipStarted started = (PaidMembershipStarted) events.get(1).getPayload();
        Instant firstEnd = firstAt.atZone(SHANGHAI).plusMonths(12).toInstant();
        assertThat(started.getEndsAt()).isEqualTo(firstEnd);
        assertThat(started.getPrice().getAmountMinor()).isEqualTo(8800L);
        clock.set(Instant.now());
        Map<String, Object> member = api.member(buyer.merchantId(), buyer.customerId());
        assertThat(member.get("benefits")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP).containsEntry("freeShipping", true);
        api.get(merchant, "/api/v1/members?paidPlan=plus").expectStatus().isOk().expectBody().jsonPath("$.items.length()").isEqualTo(1);

        // Bought again while it runs: a year more from its end. Then that order is refunded: the membership ends at once.
        OrderEvent second = planOrder(buyer, "second", firstAt.plusSeconds(5));
        shop.publish(Topics.ORDERS, buyer, second);
        shop.publish(Topics.ORDERS, buyer, OrderEventMother.fullyRefunded(second));
        events = shop.awaitEvents(Topics.MEMBERS, buyer, 4, ARRIVAL);
        assertThat(((PaidMembershipRenewed) events.get(2).getPayload()).getEndsAt()).isEqualTo(firstEnd.atZone(SHANGHAI).plusMonths(12).toInstant());
        PaidMembershipLapsed refunded = (PaidMembershipLapsed) events.get(3).getPayload();
        assertThat(refunded.getReason()).isEqualTo(PaidMembershipEndReason.REFUNDED);
        api.get(merchant, "/api/v1/members?paidPlan=plus").expectStatus().isOk().expectBody().jsonPath("$.items.length()").isEqualTo(0);

        // Started again over the API (the same purchase twice starts it once), then its term runs out.
        purchase(merchant, buyer.customerId(), "{\"planId\": \"plus\", \"purchaseId\": \"gift-1\"}").expectStatus().isCreated()
                .expectBody().jsonPath("$.active").isEqualTo(true);
        purchase(merchant, buyer.customerId(), "{\"planId\": \"plus\", \"purchaseId\": \"gift-1\"}").expectStatus().isOk();
        purchase(merchant, buyer.customerId(), "{\"planId\": \"platinum\", \"purchaseId\": \"gift-2\"}").expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("planId");
        purchase(unique("merchant-b"), buyer.customerId(), "{\"planId\": \"plus\", \"purchaseId\": \"gift-3\"}").expectStatus().isBadRequest();
        events = shop.awaitEvents(Topics.MEMBERS, buyer, 5, ARRIVAL);
        assertThat(events).hasSize(5);
        Instant apiEnd = ((PaidMembershipStarted) events.get(4).getPayload()).getEndsAt();
        clock.set(apiEnd.plus(Duration.ofDays(1)).atZone(SHANGHAI).toLocalDate().atStartOfDay(SHANGHAI).plusHours(1).toInstant());
        events = shop.awaitEvents(Topics.MEMBERS, buyer, 6, ARRIVAL);
        PaidMembershipLapsed lapsed = (PaidMembershipLapsed) events.get(5).getPayload();
        assertThat(lapsed.getReason()).isEqualTo(PaidMembershipEndReason.TERM_ENDED);
        assertThat(lapsed.getLapsedAt()).isEqualTo(apiEnd);
        api.get(merchant, "/api/v1/members/{customer}/paid-memberships", buyer.customerId()).expectStatus().isOk()
                .expectBody().jsonPath("$[0].active").isEqualTo(false).jsonPath("$[0].endReason").isEqualTo("TERM_ENDED");
    }

    @Test
    void shouldKeepTheLatestLifecycleStageAnalyticsComputed() {
        String merchant = unique("merchant");
        String customer = unique("buyer");
        MemberKey member = new MemberKey(merchant, customer);
        api.enrolled(merchant, "{\"customerId\": \"" + customer + "\", \"channel\": \"SHOP_HOME\"}");
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        shop.publish(Topics.LIFECYCLE, member, stage(member, LifecycleStage.AT_RISK, now));
        shop.publish(Topics.LIFECYCLE, member, stage(member, LifecycleStage.ACTIVE, now.minusSeconds(3600))); // late, older: ignored
        shop.publish(Topics.LIFECYCLE, new MemberKey(merchant, "not-a-member"), stage(new MemberKey(merchant, "not-a-member"), LifecycleStage.NEW, now));

        Awaitility.await().atMost(ARRIVAL).untilAsserted(() -> assertThat(api.member(merchant, customer)).containsEntry("stage", "AT_RISK"));
        api.get(merchant, "/api/v1/members?stage=AT_RISK").expectStatus().isOk().expectBody()
                .jsonPath("$.items.length()").isEqualTo(1).jsonPath("$.items[0].customerId").isEqualTo(customer);
        api.get(merchant, "/api/v1/members?stage=SLEEPING").expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].field").isEqualTo("stage");
    }

    private WebTestClient.ResponseSpec use(String merchant, String customer, String benefit, String useId) {
        return web.post().uri("/api/v1/members/{customer}/quotas/{benefit}/uses", customer, benefit)
                .headers(h -> h.setBearerAuth(api.token(merchant, "members:write"))).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"useId\": \"" + useId + "\"}").exchange();
    }

    private WebTestClient.ResponseSpec purchase(String merchant, String customer, String body) {
        return web.post().uri("/api/v1/members/{customer}/paid-memberships", customer).headers(h -> h.setBearerAuth(api.token(merchant, "members:manage")))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    private static OrderEvent planOrder(MemberKey buyer, String orderId, Instant at) {
        OrderEvent paid = OrderEventMother.paid(buyer.merchantId(), buyer.customerId(), orderId + "-" + buyer.customerId(),
                List.of(OrderEventMother.line("PLUS-1Y", "membership", 1, 8800)));
        paid.setOccurredAt(at);
        return paid;
    }

    private static LifecycleEvent stage(MemberKey member, LifecycleStage stage, Instant at) {
        return LifecycleEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(at).setMerchantId(member.merchantId())
                .setCustomerId(member.customerId())
                .setPayload(MemberLifecycleChanged.newBuilder().setToStage(stage).setOrderCount(3).build()).build();
    }
}
