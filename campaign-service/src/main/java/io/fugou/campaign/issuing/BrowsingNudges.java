package io.fugou.campaign.issuing;

import io.fugou.platform.catalog.Categories;
import io.fugou.campaign.campaigns.CampaignDefinition;
import io.fugou.campaign.campaigns.CampaignDefinition.TriggerType;
import io.fugou.campaign.campaigns.Campaigns;
import io.fugou.campaign.issuing.Issuer.Trigger;
import io.fugou.events.MemberKey;
import io.fugou.platform.schedule.FrequentJob;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * PRODUCT_VIEWED and CART_ABANDONED: a browsing event starts a wait, for each campaign listening, of the campaign's
 * {@code hours}; when it is over (checked every minute, on one instance) the member is nudged unless they paid an order
 * since. One wait per campaign and member at a time: the first view counts.
 */
@Component
public class BrowsingNudges implements FrequentJob {

    private static final List<TriggerType> BROWSING = List.of(TriggerType.PRODUCT_VIEWED, TriggerType.CART_ABANDONED);
    /** Nudges taken per run (a transaction); more are taken at once in the next. */
    private static final int PER_RUN = 1000;

    /** A browsing event: a product viewed (in {@code category}) or a cart left. */
    public record Seen(MemberKey member, TriggerType type, String eventId, String category, Instant at) {
    }

    /** A wait a campaign starts on a browsing event. */
    private record Wait(Seen seen, String campaignId, Instant due) {
    }

    /** A wait that is over. */
    private record Over(MemberKey member, String campaignId, String eventId, TriggerType type, String category, Instant seenAt) {

        String boughtKey() {
            return member + "@" + seenAt;
        }
    }

    private final DatabaseClient db;
    private final Campaigns campaigns;
    private final Issuer issuer;

    BrowsingNudges(DatabaseClient db, Campaigns campaigns, Issuer issuer) {
        this.db = db;
        this.campaigns = campaigns;
        this.issuer = issuer;
    }

    /** Starts the waits of the campaigns listening for these events (a member already waited on by a campaign keeps that wait). */
    public Mono<Void> watch(List<Seen> seen) {
        if (seen.isEmpty()) {
            return Mono.empty();
        }
        return campaigns.active(seen.stream().map(one -> one.member().merchantId()).distinct().toList(), BROWSING).collectList()
                .flatMap(active -> {
                    List<Wait> waits = new ArrayList<>();
                    for (Seen one : seen) {
                        for (Campaigns.MerchantCampaign listening : active) {
                            CampaignDefinition.Trigger wanted = listening.campaign().definition().trigger();
                            boolean inCategory = wanted.category() == null || Categories.covers(wanted.category(), one.category());
                            if (listening.merchantId().equals(one.member().merchantId()) && wanted.type() == one.type() && inCategory
                                    && listening.campaign().runsAt(one.at())) {
                                waits.add(new Wait(one, listening.campaign().campaignId(), one.at().plus(Duration.ofHours(wanted.hours()))));
                            }
                        }
                    }
                    if (waits.isEmpty()) {
                        return Mono.<Void>empty();
                    }
                    return db.sql("""
                                    insert into browsing_watch (merchant_id, campaign_id, customer_id, event_id, trigger_type, category, seen_at, due_at)
                                    select * from unnest(cast(:merchants as text[]), cast(:campaigns as text[]), cast(:customers as text[]),
                                                         cast(:events as text[]), cast(:types as text[]), cast(:categories as text[]),
                                                         cast(:seen as timestamptz[]), cast(:due as timestamptz[]))
                                    on conflict do nothing""")
                            .bind("merchants", waits.stream().map(w -> w.seen().member().merchantId()).toArray(String[]::new))
                            .bind("campaigns", waits.stream().map(Wait::campaignId).toArray(String[]::new))
                            .bind("customers", waits.stream().map(w -> w.seen().member().customerId()).toArray(String[]::new))
                            .bind("events", waits.stream().map(w -> w.seen().eventId()).toArray(String[]::new))
                            .bind("types", waits.stream().map(w -> w.seen().type().name()).toArray(String[]::new))
                            .bind("categories", waits.stream().map(w -> w.seen().category()).toArray(String[]::new))
                            .bind("seen", waits.stream().map(w -> utc(w.seen().at())).toArray(OffsetDateTime[]::new))
                            .bind("due", waits.stream().map(w -> utc(w.due())).toArray(OffsetDateTime[]::new))
                            .then();
                });
    }

    @Override
    public String name() {
        return "campaigns.browsing-nudges";
    }

    /** Takes the waits that are over and nudges those who bought nothing since they browsed; true when more are over than it took. */
    @Override
    public Mono<Boolean> run(Instant now) {
        return db.sql("""
                        -- across merchants: every merchant's waits over by now, each taken once (a check running beside this one skips them)
                        delete from browsing_watch w
                        using (select merchant_id, campaign_id, customer_id from browsing_watch where due_at <= :now
                               order by due_at limit :limit for update skip locked) due
                        where w.campaign_id = due.campaign_id and w.customer_id = due.customer_id and w.merchant_id = due.merchant_id
                        returning w.merchant_id, w.campaign_id, w.customer_id, w.event_id, w.trigger_type, w.category, w.seen_at""")
                .bind("now", utc(now)).bind("limit", PER_RUN)
                .map((row, meta) -> new Over(new MemberKey(row.get("merchant_id", String.class), row.get("customer_id", String.class)),
                        row.get("campaign_id", String.class), row.get("event_id", String.class), TriggerType.valueOf(row.get("trigger_type", String.class)),
                        row.get("category", String.class), row.get("seen_at", OffsetDateTime.class).toInstant()))
                .all().collectList()
                .flatMap(over -> over.isEmpty() ? Mono.just(false) : boughtSince(over).flatMap(bought -> issuer.fire(over.stream()
                        .filter(wait -> !bought.contains(wait.boughtKey()))
                        .map(wait -> new Trigger(wait.member(), wait.type(), "browsed/" + wait.eventId(), null, null, wait.category(), null,
                                wait.campaignId(), now))
                        .toList())).thenReturn(over.size() == PER_RUN));
    }

    /** An erased member's waits go with the rest of their data. */
    public Mono<Void> erase(MemberKey member) {
        return db.sql("delete from browsing_watch where merchant_id = :merchant and customer_id = :customer")
                .bind("merchant", member.merchantId()).bind("customer", member.customerId())
                .then();
    }

    /** The waits (member and when they browsed) followed by a paid order, as member@time. */
    private Mono<Set<String>> boughtSince(List<Over> waits) {
        return db.sql("""
                        select u.merchant_id, u.customer_id, u.seen_at
                        from unnest(cast(:merchants as text[]), cast(:customers as text[]), cast(:seen as timestamptz[])) as u(merchant_id, customer_id, seen_at)
                        where exists (select 1 from member_order o where o.customer_id = u.customer_id and o.ordered_at > u.seen_at
                                        and o.merchant_id = u.merchant_id)""")
                .bind("merchants", waits.stream().map(wait -> wait.member().merchantId()).toArray(String[]::new))
                .bind("customers", waits.stream().map(wait -> wait.member().customerId()).toArray(String[]::new))
                .bind("seen", waits.stream().map(wait -> utc(wait.seenAt())).toArray(OffsetDateTime[]::new))
                .map((row, meta) -> new MemberKey(row.get("merchant_id", String.class), row.get("customer_id", String.class)) + "@"
                        + row.get("seen_at", OffsetDateTime.class).toInstant())
                .all().collect(Collectors.toSet());
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
