package io.fugou.campaign;

import static io.fugou.campaign.CampaignApi.enrolled;
import static io.fugou.campaign.CampaignApi.memberEvent;
import static io.fugou.campaign.CampaignApi.unique;
import static org.assertj.core.api.Assertions.assertThat;

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
import org.springframework.test.web.reactive.server.WebTestClient;

/** Triggers and audiences from analytics and loyalty: a stage the member moved to, points about to expire, paid members only. */
@CampaignIntegrationTest
class CampaignLifecycleIT {

    private static final Duration ARRIVAL = Duration.ofSeconds(30);

    @Autowired
    private WebTestClient web;

    @Autowired
    private LocalTokens localTokens;

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
