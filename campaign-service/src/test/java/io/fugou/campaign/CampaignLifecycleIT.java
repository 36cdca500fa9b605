package io.fugou.campaign;

import static io.fugou.campaign.CampaignApi.enrolled;
import static io.fugou.campaign.CampaignApi.memberEvent;
import static io.fugou.campaign.CampaignApi.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.events.campaigns.BonusPointsGranted;
import io.fugou.events.campaigns.CampaignEvent;
import io.fugou.events.campaigns.CouponIssued;
import io.fugou.events.common.EnrollmentChannel;
import io.fugou.events.common.Money;
import io.fugou.events.lifecycle.LifecycleEvent;
import io.fugou.events.lifecycle.LifecycleStage;
import io.fugou.events.lifecycle.MemberLifecycleChanged;
import io.fugou.events.lifecycle.RfmSegmentChanged;
import io.fugou.events.members.MemberEnrolled;
import io.fugou.events.members.PaidMembershipStarted;
import io.fugou.events.points.PointsEvent;
import io.fugou.events.points.PointsExpiringSoon;
import io.fugou.platform.security.LocalTokens;
import io.fugou.testsupport.KafkaTestClient;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Triggers and audiences from analytics and loyalty: a stage the member moved to, points about to expire, paid members only, and
 * audiences by stage, RFM segment and tier.
 */
@CampaignIntegrationTest
class CampaignLifecycleIT {

    private static final Duration ARRIVAL = Duration.ofSeconds(30);

    @Autowired
    private WebTestClient web;

    @Autowired
    private LocalTokens localTokens;

    @Autowired
    private DatabaseClient db;

    private final KafkaTestClient shop = new KafkaTestClient();

    private CampaignApi api;

    @BeforeEach
    void createTheApi() {
        api = new CampaignApi(web, localTokens);
    }

    @Test
    void shouldWinBackAtRiskMembersWarnPaidMembersOfExpiringPointsAndIgnoreALateOlderStage() {
        String merchant = unique("merchant");
        api.activate(merchant, "{\"name\": \"Paid members welcome\", \"trigger\": {\"type\": \"MEMBER_ENROLLED\"}, \"audience\": {\"paidMembers\": true}, "
                + "\"reward\": {\"bonusPoints\": 1}}");
        api.activate(merchant, "{\"name\": \"Win-back\", \"trigger\": {\"type\": \"STAGE_CHANGED\", \"toStage\": \"AT_RISK\"}, \"audience\": {\"everyone\": true}, "
                + "\"reward\": {\"bonusPoints\": 20}}");
        api.activate(merchant, "{\"name\": \"Lapsed\", \"trigger\": {\"type\": \"STAGE_CHANGED\", \"toStage\": \"LAPSED\"}, \"audience\": {\"everyone\": true}, "
                + "\"reward\": {\"bonusPoints\": 99}}");
        api.activate(merchant, "{\"name\": \"Use them\", \"trigger\": {\"type\": \"POINTS_EXPIRING\"}, \"audience\": {\"paidMembers\": true}, "
                + "\"reward\": {\"coupon\": {\"templateId\": \"use-points\", \"freeShipping\": true, \"validDays\": 7}}}");
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        MemberKey paid = new MemberKey(merchant, "paid");
        MemberKey plain = new MemberKey(merchant, "plain");
        shop.publish(Topics.MEMBERS, paid, memberEvent(paid, now, PaidMembershipStarted.newBuilder().setPlanId("plus")
                .setPrice(Money.newBuilder().setAmountMinor(8800).setCurrency("CNY").build()).setStartsAt(now).setEndsAt(now.plus(Duration.ofDays(365))).build()));
        shop.publish(Topics.MEMBERS, paid, enrolled(paid, EnrollmentChannel.PURCHASE, null, now));
        shop.publish(Topics.MEMBERS, plain, enrolled(plain, EnrollmentChannel.SHOP_HOME, null, now));
        shop.awaitEvents(Topics.CAMPAIGNS, paid, 2, ARRIVAL); // the paid members' welcome: its plan is known

        shop.publish(Topics.LIFECYCLE, paid, stage(paid, LifecycleStage.AT_RISK, now));
        shop.publish(Topics.LIFECYCLE, paid, stage(paid, LifecycleStage.LAPSED, now.minusSeconds(3600))); // older, arriving late: no trigger
        shop.publish(Topics.POINTS, plain, expiring(plain));
        shop.publish(Topics.POINTS, paid, expiring(paid));

        List<CampaignEvent> events = shop.awaitEvents(Topics.CAMPAIGNS, paid, 6, ARRIVAL);
        assertThat(events).hasSize(6);
        assertThat(events.stream().map(CampaignEvent::getPayload).filter(BonusPointsGranted.class::isInstance).map(BonusPointsGranted.class::cast)
                .map(BonusPointsGranted::getPoints)).containsExactlyInAnyOrder(1L, 20L);
        assertThat(events.stream().map(CampaignEvent::getPayload).filter(CouponIssued.class::isInstance).map(CouponIssued.class::cast)
                .map(CouponIssued::getTemplateId)).containsExactly("use-points");
        assertThat(shop.readEvents(Topics.CAMPAIGNS, plain, Duration.ofSeconds(1))).isEmpty(); // not a paid member

        // Later the member lapses: the lapsed campaign fires.
        shop.publish(Topics.LIFECYCLE, paid, stage(paid, LifecycleStage.LAPSED, now.plusSeconds(1)));
        List<CampaignEvent> lapsed = shop.awaitEvents(Topics.CAMPAIGNS, paid, 8, ARRIVAL);
        assertThat(lapsed.stream().map(CampaignEvent::getPayload).filter(BonusPointsGranted.class::isInstance).map(BonusPointsGranted.class::cast)
                .map(BonusPointsGranted::getPoints)).containsExactlyInAnyOrder(1L, 20L, 99L);
    }

    @Test
    void shouldReachOnlyTheStagesSegmentsAndTiersTheAudienceNames() {
        String merchant = unique("merchant");
        api.program(merchant, "regular", "gold");
        api.activate(merchant, "{\"name\": \"At risk\", \"trigger\": {\"type\": \"POINTS_EXPIRING\"}, \"audience\": {\"stages\": [\"AT_RISK\"]}, "
                + "\"reward\": {\"bonusPoints\": 3}}");
        api.activate(merchant, "{\"name\": \"Champions\", \"trigger\": {\"type\": \"POINTS_EXPIRING\"}, \"audience\": {\"rfmSegments\": [\"champions\"]}, "
                + "\"reward\": {\"bonusPoints\": 4}}");
        api.activate(merchant, "{\"name\": \"Gold\", \"trigger\": {\"type\": \"POINTS_EXPIRING\"}, \"audience\": {\"tiers\": [\"gold\"]}, "
                + "\"reward\": {\"bonusPoints\": 5}}");
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        MemberKey fits = new MemberKey(merchant, "gold-champion-at-risk");
        MemberKey other = new MemberKey(merchant, "regular-hibernating-active");
        shop.publish(Topics.MEMBERS, fits, memberEvent(fits, now, MemberEnrolled.newBuilder().setChannel(EnrollmentChannel.SHOP_HOME).setTier("gold").build()));
        shop.publish(Topics.MEMBERS, other, enrolled(other, EnrollmentChannel.SHOP_HOME, null, now));
        shop.publish(Topics.LIFECYCLE, fits, stage(fits, LifecycleStage.AT_RISK, now));
        shop.publish(Topics.LIFECYCLE, other, stage(other, LifecycleStage.ACTIVE, now));
        shop.publish(Topics.LIFECYCLE, fits, segment(fits, "champions", now));
        shop.publish(Topics.LIFECYCLE, other, segment(other, "hibernating", now));
        // Lifecycle events and points arrive on different topics: the points are sent once both members' stage and segment are known.
        await().atMost(ARRIVAL).until(() -> profiled(merchant) == 2);
        shop.publish(Topics.POINTS, fits, expiring(fits));
        shop.publish(Topics.POINTS, other, expiring(other));

        List<CampaignEvent> reached = shop.awaitEvents(Topics.CAMPAIGNS, fits, 6, ARRIVAL);
        assertThat(reached.stream().map(CampaignEvent::getPayload).filter(BonusPointsGranted.class::isInstance).map(BonusPointsGranted.class::cast)
                .map(BonusPointsGranted::getPoints)).containsExactlyInAnyOrder(3L, 4L, 5L);
        assertThat(shop.readEvents(Topics.CAMPAIGNS, other, Duration.ofSeconds(2))).as("not at risk, not a champion, not gold").isEmpty();
    }

    private long profiled(String merchant) {
        return db.sql("select count(*) from member_view where merchant_id = :merchant and stage is not null and rfm_segment is not null")
                .bind("merchant", merchant).map((row, meta) -> ((Number) row.get(0)).longValue()).one().block();
    }

    private static LifecycleEvent segment(MemberKey member, String segment, Instant at) {
        return LifecycleEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(at).setMerchantId(member.merchantId())
                .setCustomerId(member.customerId()).setPayload(RfmSegmentChanged.newBuilder().setRecencyScore(3).setFrequencyScore(3)
                        .setMonetaryScore(3).setSegment(segment).build()).build();
    }

    private static LifecycleEvent stage(MemberKey member, LifecycleStage stage, Instant at) {
        return LifecycleEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(at).setMerchantId(member.merchantId())
                .setCustomerId(member.customerId()).setPayload(MemberLifecycleChanged.newBuilder().setToStage(stage).setOrderCount(2).build()).build();
    }

    private static PointsEvent expiring(MemberKey member) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        return PointsEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(now).setMerchantId(member.merchantId())
                .setCustomerId(member.customerId()).setSequence(1)
                .setPayload(PointsExpiringSoon.newBuilder().setPoints(300).setExpiresAt(now.plus(Duration.ofDays(10))).build()).build();
    }
}
