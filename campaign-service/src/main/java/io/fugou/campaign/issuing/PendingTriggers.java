package io.fugou.campaign.issuing;

import io.fugou.campaign.campaigns.CampaignDefinition.TriggerType;
import io.fugou.campaign.issuing.Issuer.Trigger;
import io.fugou.events.MemberKey;
import io.fugou.platform.locks.MemberLocks;
import io.fugou.platform.schedule.FrequentJob;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

/**
 * Order triggers of buyers who are not members yet. member-service enrolls a buyer because of an order (auto-enrollment),
 * so campaign-service sees the order before the enrollment; its FIRST_ORDER, NTH_ORDER and CATEGORY_BOUGHT are held here
 * and fire when the buyer joins, if within {@link #KEPT} of the order (a nudge after a first order makes no sense a month
 * later). Holding and releasing both run under the buyer's lock, so an order and the enrollment racing on two topics
 * cannot both miss each other.
 */
@Repository
public class PendingTriggers implements FrequentJob {

    /**
     * How long after an order (by event time) its triggers may still fire when the buyer joins; also how long they are held
     * (by the clock) for a buyer who does not join.
     */
    public static final Duration KEPT = Duration.ofDays(7);

    private static final String BUYER = "campaign_buyer";

    private final DatabaseClient db;
    private final Clock clock;

    public PendingTriggers(DatabaseClient db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** Locks the buyers until the caller's transaction ends: taken before their membership is read or written. */
    public Mono<Void> lock(Collection<MemberKey> buyers) {
        return MemberLocks.lock(db, BUYER, buyers);
    }

    /** Holds triggers until their buyer joins (held twice, kept once). */
    public Mono<Void> hold(List<Trigger> triggers) {
        if (triggers.isEmpty()) {
            return Mono.empty();
        }
        return db.sql("""
                        insert into pending_trigger (merchant_id, customer_id, trigger_key, trigger_type, order_number, category, occurred_at, held_at)
                        select u.*, cast(:now as timestamptz)
                        from unnest(cast(:merchants as text[]), cast(:customers as text[]), cast(:keys as text[]), cast(:types as text[]),
                                    cast(:numbers as int[]), cast(:categories as text[]), cast(:times as timestamptz[])) as u
                        on conflict do nothing""")
                .bind("now", utc(clock.instant()))
                .bind("merchants", triggers.stream().map(trigger -> trigger.member().merchantId()).toArray(String[]::new))
                .bind("customers", triggers.stream().map(trigger -> trigger.member().customerId()).toArray(String[]::new))
                .bind("keys", triggers.stream().map(Trigger::triggerKey).toArray(String[]::new))
                .bind("types", triggers.stream().map(trigger -> trigger.type().name()).toArray(String[]::new))
                .bind("numbers", triggers.stream().map(Trigger::orderNumber).toArray(Integer[]::new))
                .bind("categories", triggers.stream().map(Trigger::category).toArray(String[]::new))
                .bind("times", triggers.stream().map(trigger -> utc(trigger.at())).toArray(OffsetDateTime[]::new))
                .then();
    }

    /** Takes the held triggers of members who joined at the times given: those recent enough, to fire now; the rest are dropped. */
    public Mono<List<Trigger>> release(Map<MemberKey, Instant> joined) {
        if (joined.isEmpty()) {
            return Mono.just(List.of());
        }
        List<MemberKey> members = List.copyOf(joined.keySet());
        return db.sql("""
                        delete from pending_trigger p
                        using unnest(cast(:merchants as text[]), cast(:customers as text[])) as u(merchant_id, customer_id)
                        where p.customer_id = u.customer_id and p.merchant_id = u.merchant_id
                        returning p.merchant_id, p.customer_id, p.trigger_key, p.trigger_type, p.order_number, p.category, p.occurred_at""")
                .bind("merchants", members.stream().map(MemberKey::merchantId).toArray(String[]::new))
                .bind("customers", members.stream().map(MemberKey::customerId).toArray(String[]::new))
                .map((row, meta) -> new Trigger(new MemberKey(row.get("merchant_id", String.class), row.get("customer_id", String.class)),
                        TriggerType.valueOf(row.get("trigger_type", String.class)), row.get("trigger_key", String.class), null,
                        row.get("order_number", Integer.class), row.get("category", String.class), null, null,
                        row.get("occurred_at", OffsetDateTime.class).toInstant()))
                .all()
                .filter(trigger -> !trigger.at().plus(KEPT).isBefore(joined.get(trigger.member())))
                .collectList();
    }

    @Override
    public String name() {
        return "campaigns.pending-triggers-forgotten";
    }

    /** Drops what was held longer than {@link #KEPT}, every merchant's: those buyers did not join. */
    @Override
    public Mono<Boolean> run(Instant now) {
        return db.sql("""
                        -- across merchants: held triggers past their time, whoever's they are
                        delete from pending_trigger where held_at < :before""")
                .bind("before", utc(now.minus(KEPT)))
                .then().thenReturn(false);
    }

    /** An erased member's held triggers go with the rest of their data. */
    public Mono<Void> erase(MemberKey member) {
        return db.sql("delete from pending_trigger where merchant_id = :merchant and customer_id = :customer")
                .bind("merchant", member.merchantId()).bind("customer", member.customerId())
                .then();
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
