package io.fugou.campaign;

import static io.fugou.campaign.CampaignApi.enrolled;
import static io.fugou.campaign.CampaignApi.memberEvent;
import static io.fugou.campaign.CampaignApi.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.fugou.campaign.campaigns.CampaignDefinition;
import io.fugou.campaign.campaigns.Campaigns;
import io.fugou.campaign.issuing.Assignments;
import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.events.campaigns.AssignmentGroup;
import io.fugou.events.campaigns.BonusPointsGranted;
import io.fugou.events.campaigns.CampaignAssigned;
import io.fugou.events.campaigns.CampaignEvent;
import io.fugou.events.campaigns.CouponIssued;
import io.fugou.events.campaigns.SuppressionReason;
import io.fugou.events.common.EnrollmentChannel;
import io.fugou.events.members.MemberEnrolled;
import io.fugou.events.members.MemberEvent;
import io.fugou.events.members.MemberTierChanged;
import io.fugou.events.members.TierChangeDirection;
import io.fugou.events.members.TierChangeReason;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.security.LocalTokens;
import io.fugou.testsupport.KafkaTestClient;
import io.fugou.testsupport.MovableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Campaigns from the marketer's API to the coupon in a member's wallet: once per trigger, within budget, measured against a holdout. */
@CampaignIntegrationTest
class CampaignIT {

    private static final Duration ARRIVAL = Duration.ofSeconds(30);
    private static final String TEN_OFF = "{\"coupon\": {\"templateId\": \"ten-off\", \"amountOffMinor\": 1000, \"currency\": \"CNY\", "
            + "\"minimumSpendMinor\": 5000, \"validDays\": 30}}";

    @Autowired
    private WebTestClient web;

    @Autowired
    private LocalTokens localTokens;

    @Autowired
    private MovableClock clock;

    @Autowired
    private DatabaseClient db;

    @Autowired
    private Campaigns campaigns;

    private final KafkaTestClient shop = new KafkaTestClient();

    private CampaignApi api;

    @BeforeEach
    void createTheApi() {
        api = new CampaignApi(web, localTokens);
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldRewardEachEnrollmentOnceHoldingOutItsShareAndReportIt() {
        String merchant = unique("merchant");
        String definition = "{\"name\": \"Welcome\", \"trigger\": {\"type\": \"MEMBER_ENROLLED\"}, \"audience\": {\"everyone\": true}, "
                + "\"reward\": " + TEN_OFF + ", \"holdoutPercent\": 20}";
        String campaign = api.activate(merchant, definition);
        List<MemberKey> joined = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            MemberKey member = new MemberKey(merchant, "buyer-" + i);
            joined.add(member);
            MemberEvent enrolled = enrolled(member, EnrollmentChannel.POSTER, null, Instant.now());
            shop.publish(Topics.MEMBERS, member, enrolled);
            if (i % 10 == 0) {
                shop.publish(Topics.MEMBERS, member, enrolled); // redelivered: rewarded once
            }
        }

        Awaitility.await().atMost(ARRIVAL).untilAsserted(() -> web.get().uri("/api/v1/campaigns/{id}/report", campaign)
                .headers(h -> h.setBearerAuth(api.token(merchant, "campaigns:read"))).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.assigned").isEqualTo(100));
        Map<String, Object> report = web.get().uri("/api/v1/campaigns/{id}/report", campaign).headers(h -> h.setBearerAuth(api.token(merchant, "campaigns:read")))
                .exchange().expectBody(Map.class).returnResult().getResponseBody();
        List<Map<String, Object>> rows = (List<Map<String, Object>>) report.get("rows");
        long heldOut = rows.stream().filter(row -> row.get("group").equals("HOLDOUT")).mapToLong(row -> ((Number) row.get("members")).longValue()).sum();
        long treated = rows.stream().filter(row -> row.get("group").equals("TREATMENT")).mapToLong(row -> ((Number) row.get("members")).longValue()).sum();
        long coupons = rows.stream().mapToLong(row -> ((Number) row.get("coupons")).longValue()).sum();
        assertThat(heldOut + treated).isEqualTo(100);
        assertThat(heldOut).isBetween(5L, 35L); // 20 of 100 expected; four standard deviations either side
        assertThat(coupons).isEqualTo(treated);

        List<CampaignEvent> first = shop.awaitEvents(Topics.CAMPAIGNS, joined.get(0), 1, ARRIVAL);
        CampaignAssigned assigned = (CampaignAssigned) first.get(0).getPayload();
        assertThat(first.get(0).getSequence()).isEqualTo(1L);
        if (assigned.getGroup() == AssignmentGroup.TREATMENT) {
            assertThat(first).hasSize(2);
            CouponIssued coupon = (CouponIssued) first.get(1).getPayload();
            assertThat(coupon.getCouponCode()).matches("[0-9A-HJKMNP-TV-Z]{12}");
            assertThat(coupon.getAmountOff().getAmountMinor()).isEqualTo(1000L);
            clock.set(Instant.now());
            web.get().uri("/api/v1/members/{customer}/coupons", joined.get(0).customerId()).headers(h -> h.setBearerAuth(api.token(merchant, "campaigns:read")))
                    .exchange().expectStatus().isOk().expectBody().jsonPath("$.length()").isEqualTo(1)
                    .jsonPath("$[0].code").isEqualTo(coupon.getCouponCode());
        } else {
            assertThat(first).hasSize(1);
            assertThat(assigned.getGroup()).isEqualTo(AssignmentGroup.HOLDOUT);
        }
        // Another merchant sees none of it.
        String other = unique("merchant");
        web.get().uri("/api/v1/campaigns/{id}", campaign).headers(h -> h.setBearerAuth(api.token(other, "campaigns:read"))).exchange().expectStatus().isNotFound();
        web.get().uri("/api/v1/campaigns/{id}/report", campaign).headers(h -> h.setBearerAuth(api.token(other, "campaigns:read"))).exchange().expectStatus().isNotFound();
        web.get().uri("/api/v1/campaigns").headers(h -> h.setBearerAuth(api.token(other, "campaigns:read"))).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.items.length()").isEqualTo(0);
        web.get().uri("/api/v1/members/{customer}/coupons", "buyer-0").headers(h -> h.setBearerAuth(api.token(other, "campaigns:read"))).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.length()").isEqualTo(0);
        web.post().uri("/api/v1/campaigns/{id}/pause", campaign).headers(h -> h.setBearerAuth(api.token(other, "campaigns:write"))).exchange()
                .expectStatus().isNotFound();
        web.put().uri("/api/v1/campaigns/{id}", campaign).headers(h -> h.setBearerAuth(api.token(other, "campaigns:write")))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(definition).exchange().expectStatus().isNotFound();
        for (String change : List.of("activate", "end")) {
            web.post().uri("/api/v1/campaigns/{id}/" + change, campaign).headers(h -> h.setBearerAuth(api.token(other, "campaigns:write"))).exchange()
                    .expectStatus().isNotFound();
        }
        // Untouched by the other merchant, it runs until its own merchant ends it.
        web.get().uri("/api/v1/campaigns/{id}", campaign).headers(h -> h.setBearerAuth(api.token(merchant, "campaigns:read"))).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("ACTIVE");
        web.post().uri("/api/v1/campaigns/{id}/end", campaign).headers(h -> h.setBearerAuth(api.token(merchant, "campaigns:write"))).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("ENDED");
    }

    @Test
    void shouldHoldOutTheShareAskedForOverTenThousandMembersEachInTheGroupItsHashGives() {
        String merchant = unique("merchant");
        String campaign = api.activate(merchant, "{\"name\": \"A/B welcome\", \"trigger\": {\"type\": \"MEMBER_ENROLLED\"}, \"audience\": {\"everyone\": true}, "
                + "\"variants\": [{\"code\": \"a\", \"weight\": 70, \"reward\": {\"bonusPoints\": 10}}, "
                + "{\"code\": \"b\", \"weight\": 30, \"reward\": {\"bonusPoints\": 20}}], \"holdoutPercent\": 10}");
        List<Map.Entry<MemberKey, MemberEvent>> enrollments = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            MemberKey member = new MemberKey(merchant, "member-" + i);
            enrollments.add(Map.entry(member, enrolled(member, EnrollmentChannel.SHOP_HOME, null, Instant.now())));
        }
        shop.publishAll(Topics.MEMBERS, enrollments);

        Map<String, String> groups = new HashMap<>();
        Awaitility.await().atMost(Duration.ofMinutes(2)).until(() -> {
            groups.clear();
            groups.putAll(assignedGroups(merchant, campaign));
            return groups.size() == enrollments.size();
        });
        Map<String, Long> counts = groups.values().stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        // 10,000 draws: the holdout's standard deviation is 30 (sqrt(10,000 x 0.1 x 0.9)); four of them either side. The variants
        // split the other 9,000 70:30 (standard deviation about 43).
        assertThat(counts.get("holdout")).isBetween(880L, 1120L);
        assertThat(counts.get("a")).isBetween(6300L - 180, 6300L + 180);
        assertThat(counts.get("b")).isBetween(2700L - 180, 2700L + 180);
        // Identical on a re-run: each member's group is a hash of the merchant, the campaign and the member, not a stored coin flip.
        CampaignDefinition definition = campaigns.find(new MerchantId(merchant), campaign).block().definition();
        Map<String, String> rule = new HashMap<>();
        for (String customer : groups.keySet()) {
            Assignments.Group group = Assignments.groupOf(merchant, campaign, customer, definition);
            rule.put(customer, group.holdout() ? "holdout" : group.variant().code());
        }
        assertThat(groups).isEqualTo(rule);
    }

    private Map<String, String> assignedGroups(String merchant, String campaign) {
        return db.sql("select customer_id, assignment_group, variant from assignment where merchant_id = :merchant and campaign_id = :campaign")
                .bind("merchant", merchant).bind("campaign", campaign)
                .map((row, meta) -> Map.entry(row.get("customer_id", String.class),
                        "HOLDOUT".equals(row.get("assignment_group", String.class)) ? "holdout" : row.get("variant", String.class)))
                .all().collectMap(Map.Entry::getKey, Map.Entry::getValue).block();
    }

    @Test
    void shouldSuppressWithTheReasonOnceTheBudgetIsSpent() {
        String merchant = unique("merchant");
        api.activate(merchant, "{\"name\": \"First three\", \"trigger\": {\"type\": \"MEMBER_ENROLLED\"}, \"audience\": {\"channels\": [\"POSTER\"]}, "
                + "\"reward\": {\"bonusPoints\": 50}, \"budget\": {\"total\": 3}}");
        List<MemberKey> joined = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            MemberKey member = new MemberKey(merchant, "buyer-" + i);
            joined.add(member);
            shop.publish(Topics.MEMBERS, member, enrolled(member, EnrollmentChannel.POSTER, null, Instant.now()));
        }
        MemberKey notPoster = new MemberKey(merchant, "from-home-page");
        MemberEvent homePage = enrolled(notPoster, EnrollmentChannel.POSTER, null, Instant.now());
        ((MemberEnrolled) homePage.getPayload()).setChannel(EnrollmentChannel.SHOP_HOME);
        shop.publish(Topics.MEMBERS, notPoster, homePage);

        List<String> outcomes = new ArrayList<>();
        for (MemberKey member : joined) {
            List<CampaignEvent> events = shop.awaitEvents(Topics.CAMPAIGNS, member, 1, ARRIVAL);
            CampaignAssigned assigned = (CampaignAssigned) events.get(0).getPayload();
            outcomes.add(assigned.getGroup() + (assigned.getSuppressionReason() == null ? "" : ":" + assigned.getSuppressionReason()));
            if (assigned.getGroup() == AssignmentGroup.TREATMENT) {
                assertThat(((BonusPointsGranted) events.get(1).getPayload()).getPoints()).isEqualTo(50L);
            }
        }
        assertThat(outcomes).containsExactlyInAnyOrder("TREATMENT", "TREATMENT", "TREATMENT",
                "SUPPRESSED:" + SuppressionReason.BUDGET_EXHAUSTED, "SUPPRESSED:" + SuppressionReason.BUDGET_EXHAUSTED);
        assertThat(shop.readEvents(Topics.CAMPAIGNS, notPoster, Duration.ofSeconds(2))).isEmpty(); // not in the audience
    }

    @Test
    void shouldCountWhatWasGivenBeforeATotalBudgetWasSet() {
        String merchant = unique("merchant");
        String definition = "{\"name\": \"Welcome\", \"trigger\": {\"type\": \"MEMBER_ENROLLED\"}, \"audience\": {\"everyone\": true}, "
                + "\"reward\": {\"bonusPoints\": 50}%s}";
        String campaign = api.activate(merchant, definition.formatted(""));
        for (int i = 0; i < 3; i++) { // rewarded with no budget but one per member: not counted per campaign as they are given
            MemberKey member = new MemberKey(merchant, "early-" + i);
            shop.publish(Topics.MEMBERS, member, enrolled(member, EnrollmentChannel.POSTER, null, Instant.now()));
            shop.awaitEvents(Topics.CAMPAIGNS, member, 2, ARRIVAL);
        }
        String writer = api.token(merchant, "campaigns:write");
        web.post().uri("/api/v1/campaigns/{id}/pause", campaign).headers(h -> h.setBearerAuth(writer)).exchange().expectStatus().isOk();
        web.put().uri("/api/v1/campaigns/{id}", campaign).headers(h -> h.setBearerAuth(writer)).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(definition.formatted(", \"budget\": {\"total\": 4}")).exchange().expectStatus().isOk();
        web.post().uri("/api/v1/campaigns/{id}/activate", campaign).headers(h -> h.setBearerAuth(writer)).exchange().expectStatus().isOk();

        List<AssignmentGroup> later = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            MemberKey member = new MemberKey(merchant, "later-" + i);
            shop.publish(Topics.MEMBERS, member, enrolled(member, EnrollmentChannel.POSTER, null, Instant.now()));
            later.add(((CampaignAssigned) shop.awaitEvents(Topics.CAMPAIGNS, member, 1, ARRIVAL).get(0).getPayload()).getGroup());
        }
        assertThat(later).as("three given before the budget of four: one left").containsExactlyInAnyOrder(AssignmentGroup.TREATMENT,
                AssignmentGroup.SUPPRESSED);
    }

    @Test
    void shouldRewardTheReferrerAndTheNewMemberAndAnUpgradeToTheNamedTier() {
        String merchant = unique("merchant");
        api.program(merchant, "regular", "silver", "gold");
        api.activate(merchant, "{\"name\": \"Bring a friend\", \"trigger\": {\"type\": \"REFERRAL_ENROLLED\"}, \"audience\": {\"everyone\": true}, "
                + "\"reward\": " + TEN_OFF + "}");
        api.activate(merchant, "{\"name\": \"Gold\", \"trigger\": {\"type\": \"TIER_UPGRADED\", \"toTier\": \"gold\"}, \"audience\": {\"tiers\": [\"gold\"]}, "
                + "\"reward\": {\"coupon\": {\"templateId\": \"gold-ship\", \"freeShipping\": true, \"validDays\": 60}}}");
        MemberKey referrer = new MemberKey(merchant, "referrer");
        MemberKey friend = new MemberKey(merchant, "friend");
        shop.publish(Topics.MEMBERS, referrer, enrolled(referrer, EnrollmentChannel.POSTER, null, Instant.now()));
        shop.publish(Topics.MEMBERS, friend, enrolled(friend, EnrollmentChannel.POSTER, "referrer", Instant.now()));
        shop.publish(Topics.MEMBERS, referrer, tierChanged(referrer, "regular", "silver"));
        shop.publish(Topics.MEMBERS, referrer, tierChanged(referrer, "silver", "gold"));

        List<CampaignEvent> friendEvents = shop.awaitEvents(Topics.CAMPAIGNS, friend, 2, ARRIVAL);
        assertThat(friendEvents).extracting(event -> event.getPayload().getClass().getSimpleName()).containsExactly("CampaignAssigned", "CouponIssued");
        // The referrer: the friend's referral (a coupon), and gold (free shipping); silver triggers nothing.
        List<CampaignEvent> referrerEvents = shop.awaitEvents(Topics.CAMPAIGNS, referrer, 4, ARRIVAL);
        assertThat(referrerEvents).hasSize(4);
        assertThat(referrerEvents).extracting(CampaignEvent::getSequence).containsExactly(1L, 2L, 3L, 4L);
        List<CouponIssued> coupons = referrerEvents.stream().map(CampaignEvent::getPayload).filter(CouponIssued.class::isInstance)
                .map(CouponIssued.class::cast).toList();
        assertThat(coupons).extracting(CouponIssued::getTemplateId).containsExactlyInAnyOrder("ten-off", "gold-ship");
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldDocumentAWorkedExampleOfEveryTriggerThatTheApiAccepts() {
        Map<String, Object> docs = web.get().uri("/v3/api-docs").exchange().expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
        Map<String, Object> create = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) docs.get("paths")).get("/api/v1/campaigns")).get("post");
        Map<String, Object> content = (Map<String, Object>) ((Map<String, Object>) create.get("requestBody")).get("content");
        Map<String, Map<String, Object>> examples = (Map<String, Map<String, Object>>) ((Map<String, Object>) content.values().iterator().next()).get("examples");
        assertThat(examples.keySet().stream().map(name -> name.substring(0, name.indexOf(':'))).distinct())
                .containsExactlyInAnyOrder(java.util.Arrays.stream(io.fugou.campaign.campaigns.CampaignDefinition.TriggerType.values()).map(Enum::name)
                        .toArray(String[]::new));
        String merchant = unique("merchant");
        api.program(merchant, "regular", "silver", "gold");
        examples.forEach((name, example) -> web.post().uri("/api/v1/campaigns").headers(h -> h.setBearerAuth(api.token(merchant, "campaigns:write")))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(example.get("value")).exchange()
                .expectStatus().value(status -> assertThat(status).as(name).isEqualTo(201)));
    }

    @Test
    void shouldRefuseABrokenCampaignNamingTheField() {
        String merchant = unique("merchant");
        refused(merchant, "{\"name\": \"x\", \"trigger\": {\"type\": \"MEMBER_ENROLLED\"}, \"audience\": {}, \"reward\": " + TEN_OFF + "}", "audience");
        refused(merchant, "{\"name\": \"x\", \"trigger\": {\"type\": \"MEMBER_ENROLLED\"}, \"audience\": {\"everyone\": true}, "
                + "\"reward\": {\"coupon\": {\"templateId\": \"t\", \"percentOff\": 120, \"validDays\": 3}}}", "reward.coupon.percentOff");
        refused(merchant, "{\"name\": \"x\", \"trigger\": {\"type\": \"MEMBER_ENROLLED\"}, \"audience\": {\"everyone\": true}, \"reward\": " + TEN_OFF
                + ", \"schedule\": {\"startsAt\": \"2027-02-01T00:00:00Z\", \"endsAt\": \"2027-01-01T00:00:00Z\"}}", "schedule.endsAt");
        refused(merchant, "{\"name\": \"x\", \"trigger\": {\"type\": \"MEMBER_ENROLLED\"}, \"audience\": {\"everyone\": true}, "
                + "\"variants\": [{\"code\": \"a\", \"weight\": 60, \"reward\": " + TEN_OFF + "}, {\"code\": \"b\", \"weight\": 60, \"reward\": " + TEN_OFF + "}]}",
                "variants");
        refused(merchant, "{\"name\": \"x\", \"trigger\": {\"type\": \"FIRST_ORDER\"}, \"audience\": {\"everyone\": true}, "
                + "\"reward\": {\"coupon\": {\"templateId\": \"t\", \"percentOff\": 10, \"validDays\": 3, \"categoryBoughtNext\": true}}}",
                "reward.coupon.categoryBoughtNext");
        refused(merchant, "{\"name\": \"x\", \"trigger\": {\"type\": \"PRODUCT_VIEWED\", \"category\": \"drinks\", \"hours\": 4}, "
                + "\"audience\": {\"everyone\": true}, \"variants\": [{\"code\": \"a\", \"weight\": 100, \"reward\": {\"coupon\": "
                + "{\"templateId\": \"t\", \"percentOff\": 10, \"validDays\": 3, \"categoryBoughtNext\": true}}}]}",
                "variants[0].reward.coupon.categoryBoughtNext");
        refused(merchant, "{\"name\": \"x\", \"trigger\": {\"type\": \"BIRTHDAY_PARTY\"}, \"audience\": {\"everyone\": true}, \"reward\": " + TEN_OFF + "}",
                "trigger.type");
        refused(merchant, "{\"name\": \"x\", \"trigger\": {\"type\": \"MEMBER_ENROLLED\"}, \"audience\": {\"everyone\": true}, \"reward\": " + TEN_OFF
                + ", \"colour\": \"red\"}", "colour");
        // Tiers the merchant's programme does not have: none but the default "regular" before member-service publishes one.
        refused(merchant, "{\"name\": \"x\", \"trigger\": {\"type\": \"MEMBER_ENROLLED\"}, \"audience\": {\"tiers\": [\"gold\"]}, \"reward\": " + TEN_OFF + "}",
                "audience.tiers[0]");
        api.program(merchant, "regular", "silver", "gold");
        refused(merchant, "{\"name\": \"x\", \"trigger\": {\"type\": \"TIER_UPGRADED\", \"toTier\": \"diamond\"}, \"audience\": {\"everyone\": true}, "
                + "\"reward\": " + TEN_OFF + "}", "trigger.toTier");
        refused(merchant, "{\"name\": \"x\", \"trigger\": {\"type\": \"MEMBER_ENROLLED\"}, \"audience\": {\"tiers\": [\"gold\", \"platinum\"]}, "
                + "\"reward\": " + TEN_OFF + "}", "audience.tiers[1]");
        web.get().uri("/api/v1/campaigns").headers(h -> h.setBearerAuth(api.token(merchant, "campaigns:read"))).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.items.length()").isEqualTo(0);
    }

    private void refused(String merchant, String body, String field) {
        web.post().uri("/api/v1/campaigns").headers(h -> h.setBearerAuth(api.token(merchant, "campaigns:write"))).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body).exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo(field);
    }

    /** Creates and activates a campaign; its id. */

    private static MemberEvent tierChanged(MemberKey member, String from, String to) {
        return memberEvent(member, Instant.now(), MemberTierChanged.newBuilder().setFromTier(from).setToTier(to).setDirection(TierChangeDirection.UPGRADE)
                .setGrowthScore(1000).setReason(TierChangeReason.GROWTH).build());
    }
}
