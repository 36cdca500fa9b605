package io.fugou.campaign;

import static io.fugou.campaign.CampaignApi.enrolled;
import static io.fugou.campaign.CampaignApi.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.events.campaigns.BonusPointsGranted;
import io.fugou.events.campaigns.CampaignEvent;
import io.fugou.events.campaigns.CouponIssued;
import io.fugou.events.common.EnrollmentChannel;
import io.fugou.events.lifecycle.LifecycleEvent;
import io.fugou.events.lifecycle.NextOrderPredicted;
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
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

/** The daily triggers (anniversary, no purchase for N days, member day, replenishment), run by the scheduler once a day, once per member. */
@CampaignIntegrationTest
class CampaignDailyIT {

    private static final Duration ARRIVAL = Duration.ofSeconds(30);
    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

    @Autowired
    private WebTestClient web;

    @Autowired
    private LocalTokens localTokens;

    @Autowired
    private MovableClock clock;

    @Autowired
    private DatabaseClient db;

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
    void shouldRewardAnniversariesLapsedBuyersAndTheMemberDaysOnceOnTheirDay() {
        String merchant = unique("merchant");
        LocalDate day = LocalDate.now(SHANGHAI).plusDays(2);
        while (day.getDayOfMonth() > 28) { // a member day of the month is the 1st to the 28th
            day = day.plusDays(1);
        }
        clock.set(Instant.now().minus(Duration.ofMinutes(5)));
        api.activate(merchant, "{\"name\": \"Joined\", \"trigger\": {\"type\": \"MEMBER_ENROLLED\"}, \"audience\": {\"everyone\": true}, \"reward\": {\"bonusPoints\": 1}}");
        api.activate(merchant, "{\"name\": \"Bought\", \"trigger\": {\"type\": \"FIRST_ORDER\"}, \"audience\": {\"everyone\": true}, \"reward\": {\"bonusPoints\": 2}}");
        api.activate(merchant, "{\"name\": \"Happy anniversary\", \"trigger\": {\"type\": \"ENROLLMENT_ANNIVERSARY\"}, \"audience\": {\"everyone\": true}, "
                + "\"reward\": {\"bonusPoints\": 5}}");
        api.activate(merchant, "{\"name\": \"We miss you\", \"trigger\": {\"type\": \"NO_PURCHASE\", \"days\": 30}, \"audience\": {\"everyone\": true}, "
                + "\"reward\": {\"coupon\": {\"templateId\": \"come-back\", \"amountOffMinor\": 800, \"currency\": \"CNY\", \"validDays\": 14}}}");
        api.activate(merchant, "{\"name\": \"Member day\", \"trigger\": {\"type\": \"MEMBER_DAY\", \"dayOfWeek\": \"" + day.getDayOfWeek() + "\"}, "
                + "\"audience\": {\"everyone\": true}, \"reward\": {\"bonusPoints\": 7}}");
        api.activate(merchant, "{\"name\": \"Member day of the month\", \"trigger\": {\"type\": \"MEMBER_DAY\", \"dayOfMonth\": "
                + day.getDayOfMonth() + "}, \"audience\": {\"everyone\": true}, \"reward\": {\"bonusPoints\": 11}}");
        api.activate(merchant, "{\"name\": \"Grand opening\", \"trigger\": {\"type\": \"MEMBER_DAY\", \"date\": \"" + day + "\"}, "
                + "\"audience\": {\"everyone\": true}, \"reward\": {\"bonusPoints\": 13}}");
        api.activate(merchant, "{\"name\": \"Tomorrow's sale\", \"trigger\": {\"type\": \"MEMBER_DAY\", \"date\": \"" + day.plusDays(1) + "\"}, "
                + "\"audience\": {\"everyone\": true}, \"reward\": {\"bonusPoints\": 17}}");
        api.activate(merchant, "{\"name\": \"Running low?\", \"trigger\": {\"type\": \"REPLENISHMENT\", \"days\": 2}, \"audience\": {\"everyone\": true}, "
                + "\"reward\": {\"bonusPoints\": 9}}");
        MemberKey longAgo = new MemberKey(merchant, "joined-a-year-ago");
        MemberKey lapsed = new MemberKey(merchant, "last-bought-30-days-ago");
        MemberKey recent = new MemberKey(merchant, "recent");
        shop.publish(Topics.MEMBERS, longAgo, enrolled(longAgo, EnrollmentChannel.SHOP_HOME, null, day.minusYears(1).atTime(9, 0).atZone(SHANGHAI).toInstant()));
        shop.publish(Topics.MEMBERS, lapsed, enrolled(lapsed, EnrollmentChannel.SHOP_HOME, null, Instant.now().minus(Duration.ofDays(60))));
        shop.publish(Topics.MEMBERS, recent, enrolled(recent, EnrollmentChannel.SHOP_HOME, null, Instant.now()));
        OrderEvent order = OrderEventMother.paid(merchant, lapsed.customerId(), "the-last-one", List.of(OrderEventMother.line("SKU", "drinks", 1, 2000)));
        order.setOccurredAt(day.minusDays(30).atTime(12, 0).atZone(SHANGHAI).toInstant());
        shop.publish(Topics.ORDERS, lapsed, order);
        // analytics predicts the recent member's next order two days after the day; a prediction made earlier arrives late.
        Instant predictedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        shop.publish(Topics.LIFECYCLE, recent, predicted(recent, predictedAt, day.plusDays(2).atTime(15, 0).atZone(SHANGHAI).toInstant()));
        shop.publish(Topics.LIFECYCLE, recent, predicted(recent, predictedAt.minusSeconds(60), day.plusDays(9).atTime(15, 0).atZone(SHANGHAI).toInstant()));
        shop.publish(Topics.LIFECYCLE, longAgo, predicted(longAgo, predictedAt, day.plusDays(3).atTime(15, 0).atZone(SHANGHAI).toInstant()));
        shop.awaitEvents(Topics.CAMPAIGNS, longAgo, 2, ARRIVAL);
        shop.awaitEvents(Topics.CAMPAIGNS, lapsed, 4, ARRIVAL);
        shop.awaitEvents(Topics.CAMPAIGNS, recent, 2, ARRIVAL);
        await().atMost(ARRIVAL).until(() -> predictionsKnown(merchant) == 2);

        // The day comes, at 10:30 in Shanghai; then an hour later the job is asked again and gives nothing twice.
        clock.set(day.atTime(10, 30).atZone(SHANGHAI).toInstant());
        List<CampaignEvent> anniversary = shop.awaitEvents(Topics.CAMPAIGNS, longAgo, 10, ARRIVAL);
        List<CampaignEvent> missed = shop.awaitEvents(Topics.CAMPAIGNS, lapsed, 12, ARRIVAL);
        List<CampaignEvent> memberDay = shop.awaitEvents(Topics.CAMPAIGNS, recent, 10, ARRIVAL);
        clock.set(day.atTime(11, 30).atZone(SHANGHAI).toInstant());
        assertThat(shop.readEvents(Topics.CAMPAIGNS, longAgo, Duration.ofSeconds(3))).hasSize(10);

        // Every member of the audience has the member days of the week, of the month and of the date, not tomorrow's.
        assertThat(bonuses(anniversary)).containsExactlyInAnyOrder(1L, 5L, 7L, 11L, 13L);
        assertThat(bonuses(missed)).containsExactlyInAnyOrder(1L, 2L, 7L, 11L, 13L);
        assertThat(missed.stream().map(CampaignEvent::getPayload).filter(CouponIssued.class::isInstance).map(CouponIssued.class::cast)
                .map(CouponIssued::getTemplateId)).containsExactly("come-back");
        assertThat(bonuses(memberDay)).as("joined, member days, running low").containsExactlyInAnyOrder(1L, 7L, 9L, 11L, 13L);
        assertThat(memberDay).hasSize(10);
    }

    private static LifecycleEvent predicted(MemberKey member, Instant at, Instant nextOrder) {
        return LifecycleEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setOccurredAt(at).setMerchantId(member.merchantId())
                .setCustomerId(member.customerId()).setPayload(NextOrderPredicted.newBuilder().setPredictedAt(nextOrder)
                        .setLastOrderAt(at.minus(Duration.ofDays(20))).setIntervalDays(22.5).setFromOwnHistory(true).build()).build();
    }

    private long predictionsKnown(String merchant) {
        return db.sql("select count(*) from member_view where merchant_id = :merchant and next_order_at is not null").bind("merchant", merchant)
                .map((row, meta) -> ((Number) row.get(0)).longValue()).one().block();
    }

    private static List<Long> bonuses(List<CampaignEvent> events) {
        return events.stream().map(CampaignEvent::getPayload).filter(BonusPointsGranted.class::isInstance).map(BonusPointsGranted.class::cast)
                .map(BonusPointsGranted::getPoints).toList();
    }
}
