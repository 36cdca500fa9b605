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
import io.fugou.events.members.MemberProfile;
import io.fugou.platform.schedule.DailyJobs;
import io.fugou.platform.security.LocalTokens;
import io.fugou.testsupport.KafkaTestClient;
import io.fugou.testsupport.MovableClock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Birthday campaigns: the birthday comes from member-service's compacted profile topic; on the day (or N days before) at
 * 10:00 each member in the audience is rewarded once, however many scheduler instances run the day, and once a year.
 */
@CampaignIntegrationTest
class CampaignBirthdayIT {

    private static final Duration ARRIVAL = Duration.ofSeconds(30);
    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

    @Autowired
    private WebTestClient web;

    @Autowired
    private LocalTokens localTokens;

    @Autowired
    private MovableClock clock;

    @Autowired
    private DailyJobs dailyJobs;

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
    void shouldRewardEachBirthdayOnceOnItsDayThoughThreeSchedulersRunIt() {
        String merchant = unique("merchant");
        LocalDate day = LocalDate.now(SHANGHAI).plusDays(5);
        clock.set(Instant.now().minus(Duration.ofMinutes(5)));
        api.activate(merchant, "{\"name\": \"Happy birthday\", \"trigger\": {\"type\": \"BIRTHDAY\"}, \"audience\": {\"everyone\": true}, "
                + "\"reward\": {\"coupon\": {\"templateId\": \"birthday\", \"amountOffMinor\": 2000, \"currency\": \"CNY\", \"validDays\": 7}}}");
        api.activate(merchant, "{\"name\": \"Birthday soon\", \"trigger\": {\"type\": \"BIRTHDAY\", \"days\": 3}, \"audience\": {\"everyone\": true}, "
                + "\"reward\": {\"bonusPoints\": 3}}");
        MemberKey onTheDay = new MemberKey(merchant, "born-on-the-day");
        MemberKey inThreeDays = new MemberKey(merchant, "born-three-days-later");
        MemberKey yesterday = new MemberKey(merchant, "born-the-day-before");
        MemberKey changesIt = new MemberKey(merchant, "changes-their-birthday");
        MemberKey erased = new MemberKey(merchant, "erased");
        MemberKey notMember = new MemberKey(merchant, "not-a-member");
        Instant joined = Instant.now().minus(Duration.ofDays(40));
        for (MemberKey member : List.of(onTheDay, inThreeDays, yesterday, changesIt, erased)) {
            shop.publish(Topics.MEMBERS, member, enrolled(member, EnrollmentChannel.SHOP_HOME, null, joined));
        }
        Instant profiled = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        shop.publish(Topics.MEMBER_PROFILES, onTheDay, profile(onTheDay, day.withYear(1990), profiled));
        shop.publish(Topics.MEMBER_PROFILES, inThreeDays, profile(inThreeDays, day.plusDays(3).withYear(1985), profiled));
        shop.publish(Topics.MEMBER_PROFILES, yesterday, profile(yesterday, day.minusDays(1).withYear(2000), profiled));
        shop.publish(Topics.MEMBER_PROFILES, changesIt, profile(changesIt, day.withYear(1995), profiled));
        shop.publish(Topics.MEMBER_PROFILES, erased, profile(erased, day.withYear(1980), profiled));
        shop.publish(Topics.MEMBER_PROFILES, notMember, profile(notMember, day.withYear(1970), profiled));
        shop.publishBytes(Topics.MEMBER_PROFILES.name(), erased.toString(), null); // erased: the tombstone takes the birthday away
        // An older profile arriving late (a replay) changes nothing.
        shop.publish(Topics.MEMBER_PROFILES, onTheDay, profile(onTheDay, day.minusDays(100).withYear(1990), profiled.minusSeconds(60)));
        await().atMost(ARRIVAL).until(() -> birthdaysKnown(merchant) == 5 && membersKnown(merchant) == 5 && tombstoned(erased));

        // The service was down yesterday: that birthday is not caught up. Today three schedulers run the day at once.
        clock.set(day.atTime(10, 30).atZone(SHANGHAI).toInstant());
        Mono.zip(dailyJobs.runDue().subscribeOn(Schedulers.boundedElastic()), dailyJobs.runDue().subscribeOn(Schedulers.boundedElastic()))
                .block(ARRIVAL);
        List<CampaignEvent> birthday = shop.awaitEvents(Topics.CAMPAIGNS, onTheDay, 2, ARRIVAL);
        List<CampaignEvent> soon = shop.awaitEvents(Topics.CAMPAIGNS, inThreeDays, 2, ARRIVAL);
        assertThat(shop.awaitEvents(Topics.CAMPAIGNS, changesIt, 2, ARRIVAL)).hasSize(2);
        assertThat(birthday.stream().map(CampaignEvent::getPayload).filter(CouponIssued.class::isInstance).map(CouponIssued.class::cast)
                .map(CouponIssued::getTemplateId)).containsExactly("birthday");
        assertThat(birthday).hasSize(2);
        assertThat(soon.stream().map(CampaignEvent::getPayload).filter(BonusPointsGranted.class::isInstance).map(BonusPointsGranted.class::cast)
                .map(BonusPointsGranted::getPoints)).containsExactly(3L);
        assertThat(soon).hasSize(2);

        // The next day: a member who moved their birthday to it is not celebrated twice in a year.
        shop.publish(Topics.MEMBER_PROFILES, changesIt, profile(changesIt, day.plusDays(1).withYear(1995), profiled.plusSeconds(1)));
        await().atMost(ARRIVAL).until(() -> birthdayOf(changesIt).equals(day.plusDays(1).withYear(1995)));
        clock.set(day.plusDays(1).atTime(10, 30).atZone(SHANGHAI).toInstant());
        dailyJobs.runDue().block(ARRIVAL);
        assertThat(shop.readEvents(Topics.CAMPAIGNS, changesIt, Duration.ofSeconds(3))).hasSize(2);
        assertThat(shop.readEvents(Topics.CAMPAIGNS, onTheDay, Duration.ofSeconds(1))).hasSize(2);
        for (MemberKey nobody : List.of(yesterday, erased, notMember)) {
            assertThat(shop.readEvents(Topics.CAMPAIGNS, nobody, Duration.ofSeconds(1))).as(nobody.customerId()).isEmpty();
        }
        assertThat(birthdayOf(onTheDay)).as("the birthday, not the older profile replayed after it").isEqualTo(day.withYear(1990));
    }

    private static MemberProfile profile(MemberKey member, LocalDate birthday, Instant updatedAt) {
        return MemberProfile.newBuilder().setMerchantId(member.merchantId()).setCustomerId(member.customerId()).setUpdatedAt(updatedAt)
                .setBirthday(birthday).build();
    }

    private long birthdaysKnown(String merchant) {
        return count("select count(*) from member_view where merchant_id = :merchant and birthday is not null", merchant);
    }

    private long membersKnown(String merchant) {
        return count("select count(*) from member_view where merchant_id = :merchant and enrolled_at is not null", merchant);
    }

    private long count(String sql, String merchant) {
        return db.sql(sql).bind("merchant", merchant).map((row, meta) -> ((Number) row.get(0)).longValue()).one().block();
    }

    /** The member's profile was stored, then taken away by its tombstone. */
    private boolean tombstoned(MemberKey member) {
        return count("select count(*) from member_view where merchant_id = :merchant and customer_id = '" + member.customerId()
                + "' and birthday is null and profile_updated_at is not null", member.merchantId()) == 1;
    }

    private LocalDate birthdayOf(MemberKey member) {
        return db.sql("select birthday from member_view where merchant_id = :merchant and customer_id = :customer")
                .bind("merchant", member.merchantId()).bind("customer", member.customerId())
                .map((row, meta) -> row.get("birthday", LocalDate.class)).one().block();
    }
}
