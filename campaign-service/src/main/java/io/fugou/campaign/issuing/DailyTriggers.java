package io.fugou.campaign.issuing;

import io.fugou.campaign.campaigns.Campaign;
import io.fugou.campaign.campaigns.CampaignDefinition;
import io.fugou.campaign.campaigns.CampaignDefinition.TriggerType;
import io.fugou.campaign.campaigns.Campaigns;
import io.fugou.campaign.issuing.Issuer.Trigger;
import io.fugou.events.MemberKey;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.schedule.DailyJob;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Once a day at 10:00 in the merchant's zone (not at midnight: people are contacted in the day), the time-based triggers:
 * birthdays (on the day or N days before), replenishment (N days before the predicted next order), enrollment anniversaries, members whose last order is N days old, and member
 * days (会员日). Each member is rewarded once per campaign and day (once per year for a birthday: a member who changes
 * their birthday is not celebrated twice), so running twice or on two instances gives nothing twice; a day the service
 * was down is not caught up later (no stale birthday coupon), as the platform runs only the latest due day.
 */
@Component
class DailyTriggers implements DailyJob {

    private static final List<TriggerType> DAILY = List.of(TriggerType.BIRTHDAY, TriggerType.REPLENISHMENT, TriggerType.ENROLLMENT_ANNIVERSARY,
            TriggerType.NO_PURCHASE, TriggerType.MEMBER_DAY);

    private final DatabaseClient db;
    private final Campaigns campaigns;
    private final Issuer issuer;
    private final Clock clock;

    DailyTriggers(DatabaseClient db, Campaigns campaigns, Issuer issuer, Clock clock) {
        this.db = db;
        this.campaigns = campaigns;
        this.issuer = issuer;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "campaigns.daily-triggers";
    }

    @Override
    public LocalTime at() {
        return LocalTime.of(10, 0);
    }

    @Override
    public Mono<Void> run(MerchantId merchant, LocalDate day) {
        Instant now = clock.instant();
        return campaigns.active(List.of(merchant.value()), DAILY)
                .filter(listening -> listening.campaign().runsAt(now))
                .concatMap(listening -> {
                    Campaign campaign = listening.campaign();
                    LocalDate today = LocalDate.ofInstant(now, campaign.definition().zone());
                    CampaignDefinition.Trigger trigger = campaign.definition().trigger();
                    String key = switch (trigger.type()) {
                        case BIRTHDAY -> "birthday/" + celebrated(trigger, today).getYear();
                        case REPLENISHMENT -> "replenish/" + celebrated(trigger, today); // once per predicted day
                        default -> "daily/" + today;
                    };
                    return members(merchant, campaign, today).map(customer -> Trigger.forCampaign(new MemberKey(merchant.value(), customer),
                            trigger.type(), key, campaign.campaignId(), now));
                })
                .collectList()
                .flatMap(issuer::fire);
    }

    /** The day a campaign looks for today (a birthday, a predicted order): today, or {@code days} ahead. */
    private static LocalDate celebrated(CampaignDefinition.Trigger trigger, LocalDate today) {
        return today.plusDays(trigger.days() == null ? 0 : trigger.days());
    }

    /** The members a campaign's daily trigger finds today (its audience is checked when they are assigned). */
    private Flux<String> members(MerchantId merchant, Campaign campaign, LocalDate today) {
        CampaignDefinition.Trigger trigger = campaign.definition().trigger();
        ZoneId zone = campaign.definition().zone();
        return switch (trigger.type()) {
            case BIRTHDAY -> {
                LocalDate birthday = celebrated(trigger, today);
                boolean leapDayToo = birthday.getMonthValue() == 2 && birthday.getDayOfMonth() == 28 && !birthday.isLeapYear();
                yield db.sql("""
                                select customer_id from member_view
                                where merchant_id = :merchant and not erased and enrolled_at is not null and birthday is not null
                                  and extract(month from birthday) = :month
                                  and (extract(day from birthday) = :day or (:leapDayToo and extract(day from birthday) = 29))""")
                        .bind("merchant", merchant.value()).bind("month", birthday.getMonthValue()).bind("day", birthday.getDayOfMonth())
                        .bind("leapDayToo", leapDayToo)
                        .map((row, meta) -> row.get("customer_id", String.class)).all();
            }
            case REPLENISHMENT -> db.sql("""
                            select customer_id from member_view
                            where merchant_id = :merchant and not erased and enrolled_at is not null
                              and next_order_at >= :from and next_order_at < :to""")
                    .bind("merchant", merchant.value())
                    .bind("from", celebrated(trigger, today).atStartOfDay(zone).toOffsetDateTime())
                    .bind("to", celebrated(trigger, today).plusDays(1).atStartOfDay(zone).toOffsetDateTime())
                    .map((row, meta) -> row.get("customer_id", String.class)).all();
            case ENROLLMENT_ANNIVERSARY -> db.sql("""
                            select customer_id from member_view
                            where merchant_id = :merchant and not erased and enrolled_at is not null
                              and extract(month from enrolled_at at time zone :zone) = :month and extract(day from enrolled_at at time zone :zone) = :day
                              and extract(year from enrolled_at at time zone :zone) < :year""")
                    .bind("merchant", merchant.value()).bind("zone", zone.getId()).bind("month", today.getMonthValue())
                    .bind("day", today.getDayOfMonth()).bind("year", today.getYear())
                    .map((row, meta) -> row.get("customer_id", String.class)).all();
            case NO_PURCHASE -> db.sql("""
                            select customer_id from member_view
                            where merchant_id = :merchant and not erased and enrolled_at is not null
                              and last_order_at >= :from and last_order_at < :to""")
                    .bind("merchant", merchant.value())
                    .bind("from", today.minusDays(trigger.days()).atStartOfDay(zone).toOffsetDateTime())
                    .bind("to", today.minusDays(trigger.days() - 1L).atStartOfDay(zone).toOffsetDateTime())
                    .map((row, meta) -> row.get("customer_id", String.class)).all();
            case MEMBER_DAY -> !trigger.memberDayOn(today) ? Flux.empty() : db.sql("""
                            select customer_id from member_view where merchant_id = :merchant and not erased and enrolled_at is not null""")
                    .bind("merchant", merchant.value())
                    .map((row, meta) -> row.get("customer_id", String.class)).all();
            default -> Flux.empty();
        };
    }
}
