package io.fugou.member.tiers;

import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.events.members.MemberTierChanged;
import io.fugou.events.members.TierChangeDirection;
import io.fugou.events.members.TierChangeReason;
import io.fugou.member.events.MemberEvents;
import io.fugou.member.program.MembershipProgram;
import io.fugou.member.program.ProgramVersion;
import io.fugou.member.program.Programs;
import io.fugou.member.tiers.GrowthLedger.Window;
import io.fugou.member.enrollment.Members;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.pipeline.MemberSequences;
import io.fugou.platform.pipeline.Outbound;
import io.fugou.platform.pipeline.Outbox;
import io.fugou.platform.web.InvalidFieldException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

/**
 * Members' tiers: up as soon as the growth score reaches a tier, down only when a qualification period ends (and only
 * for a tier held before it began), and a tier set by the merchant that holds until its date. Every change is a
 * {@code MemberTierChanged} with its reason, through the outbox, in the caller's transaction.
 */
@Service
public class Tiers {

    /** A tier change to make, if the member is still in {@code fromTier} when it is made. */
    public record Change(MemberKey member, String fromTier, String toTier, long score, TierChangeReason reason, Instant at,
                         MembershipProgram program) {
    }

    /** What a review of a period did. */
    public record Review(LocalDate periodStart, int members, int changed) {
    }

    private final DatabaseClient db;
    private final GrowthLedger growth;
    private final Programs programs;
    private final MemberSequences sequences;
    private final Outbox outbox;

    public Tiers(DatabaseClient db, GrowthLedger growth, Programs programs, MemberSequences sequences, Outbox outbox) {
        this.db = db;
        this.growth = growth;
        this.programs = programs;
        this.sequences = sequences;
        this.outbox = outbox;
    }

    /** Window of the score that counts at {@code at} under a programme. */
    public static Window window(MemberKey member, MembershipProgram program, Instant at) {
        return new Window(member, at.minus(Duration.ofDays(program.growth().windowDays())), at);
    }

    /**
     * After growth was added for these members (each at the latest time it was added): those whose score then reaches a
     * higher tier go up at once. Members with a manual tier keep it until its date; buyers who are not members have no tier.
     */
    public Mono<List<Change>> upgradeAfterGrowth(Map<MemberKey, Instant> grownAt) {
        if (grownAt.isEmpty()) {
            return Mono.just(List.of());
        }
        List<MemberKey> keys = List.copyOf(grownAt.keySet());
        Mono<Map<MemberKey, String>> earnedTiers = db.sql("""
                        select m.merchant_id, m.customer_id, m.tier from member m
                        join unnest(cast(:merchants as text[]), cast(:customers as text[])) as u(merchant_id, customer_id)
                          on m.merchant_id = u.merchant_id and m.customer_id = u.customer_id
                        where m.merchant_id = any(cast(:merchantIds as text[])) and m.manual_tier is null""")
                .bind("merchants", keys.stream().map(MemberKey::merchantId).toArray(String[]::new))
                .bind("merchantIds", MerchantId.distinct(keys.stream().map(MemberKey::merchantId).toArray(String[]::new)))
                .bind("customers", keys.stream().map(MemberKey::customerId).toArray(String[]::new))
                .map((row, meta) -> Map.entry(new MemberKey(row.get("merchant_id", String.class), row.get("customer_id", String.class)),
                        row.get("tier", String.class)))
                .all().collectMap(Map.Entry::getKey, Map.Entry::getValue);
        return earnedTiers.flatMap(tiers -> tiers.isEmpty() ? Mono.just(List.<Change>of())
                : programs.versionsOf(tiers.keySet().stream().map(MemberKey::merchantId).toList()).flatMap(versions -> {
                    Map<MemberKey, MembershipProgram> programOf = new HashMap<>();
                    List<Window> windows = new ArrayList<>();
                    tiers.keySet().forEach(member -> {
                        MembershipProgram program = versions.inForceOrFirst(member.merchantId(), grownAt.get(member)).program();
                        programOf.put(member, program);
                        windows.add(window(member, program, grownAt.get(member)));
                    });
                    return growth.scores(windows).flatMap(scores -> {
                        List<Change> changes = new ArrayList<>();
                        tiers.forEach((member, tier) -> {
                            MembershipProgram program = programOf.get(member);
                            long score = scores.getOrDefault(member, 0L);
                            String reached = program.tierFor(score);
                            if (program.rank(reached) > program.rank(tier)) {
                                changes.add(new Change(member, tier, reached, score, TierChangeReason.GROWTH, grownAt.get(member), program));
                            }
                        });
                        return apply(changes);
                    });
                }));
    }

    /**
     * Sets the tier the merchant chose until a date (the member's local day it ends at), whatever the score; then the
     * tier the score earns applies again. Returns the member's tier now.
     */
    public Mono<String> setManual(MerchantId merchant, String customerId, String tier, LocalDate until, Instant now) {
        MemberKey member = new MemberKey(merchant.value(), customerId);
        return programs.inForce(merchant, now).flatMap(version -> {
            MembershipProgram program = version.program();
            if (tier == null || !program.hasTier(tier)) {
                return Mono.error(new InvalidFieldException("tier", "'" + tier + "' is no tier of the merchant's programme; its tiers are "
                        + program.tiers().stream().map(MembershipProgram.Tier::code).toList()));
            }
            if (until == null || !until.isAfter(LocalDate.ofInstant(now, program.zone()))) {
                return Mono.error(new InvalidFieldException("until", "must be a day after today (in " + program.timeZone() + "): the day the tier ends"));
            }
            return db.sql("""
                            update member set manual_tier = :tier, manual_tier_until = :until
                            where merchant_id = :merchant and customer_id = :customer
                            returning tier""")
                    .bind("tier", tier).bind("until", until).bind("merchant", merchant.value()).bind("customer", customerId)
                    .map((row, meta) -> row.get("tier", String.class))
                    .one()
                    .switchIfEmpty(Mono.error(() -> Members.noSuchMember(customerId)))
                    .flatMap(current -> current.equals(tier) ? Mono.just(tier)
                            : growth.scores(List.of(window(member, program, now)))
                                    .flatMap(scores -> apply(List.of(new Change(member, current, tier, scores.getOrDefault(member, 0L),
                                            TierChangeReason.MANUAL, now, program))))
                                    .thenReturn(tier));
        });
    }

    /** Manual tiers whose day has come: the tier the score earns now applies again. */
    public Mono<Integer> expireManual(MerchantId merchant, LocalDate day, Instant now) {
        return db.sql("""
                        update member set manual_tier = null, manual_tier_until = null
                        where merchant_id = :merchant and manual_tier is not null and manual_tier_until <= :day
                        returning customer_id, tier""")
                .bind("merchant", merchant.value()).bind("day", day)
                .map((row, meta) -> Map.entry(new MemberKey(merchant.value(), row.get("customer_id", String.class)), row.get("tier", String.class)))
                .all().collectMap(Map.Entry::getKey, Map.Entry::getValue)
                .flatMap(expired -> expired.isEmpty() ? Mono.just(0) : programs.inForce(merchant, now).flatMap(version -> {
                    MembershipProgram program = version.program();
                    return growth.scores(expired.keySet().stream().map(member -> window(member, program, now)).toList()).flatMap(scores -> {
                        List<Change> changes = new ArrayList<>();
                        expired.forEach((member, tier) -> {
                            long score = scores.getOrDefault(member, 0L);
                            String earned = program.tierFor(score);
                            if (!earned.equals(tier)) {
                                changes.add(new Change(member, tier, earned, score, TierChangeReason.MANUAL_EXPIRED, now, program));
                            }
                        });
                        return apply(changes).map(List::size);
                    });
                }));
    }

    /**
     * Reviews the members of a merchant when a qualification period has begun: each member who held their tier since
     * before it, without a manual tier, gets the tier their score at its start earns (down as well as up). Once per
     * period: a period reviewed already is left alone.
     */
    public Mono<Review> review(MerchantId merchant, LocalDate periodStart, ProgramVersion version, Instant now) {
        MembershipProgram program = version.program();
        Instant boundary = periodStart.atStartOfDay(program.zone()).toInstant();
        Instant since = boundary.minus(Duration.ofDays(program.growth().windowDays()));
        return db.sql("""
                        insert into tier_review (merchant_id, period_start, reviewed_at, members, changed) values (:merchant, :period, :now, 0, 0)
                        on conflict do nothing""")
                .bind("merchant", merchant.value()).bind("period", periodStart).bind("now", utc(now))
                .fetch().rowsUpdated()
                .flatMap(claimed -> claimed == 0 ? Mono.<Review>empty() : db.sql("""
                                select m.customer_id, m.tier, coalesce(sum(g.amount), 0) as score
                                from member m
                                left join growth_entry g on g.merchant_id = m.merchant_id and g.customer_id = m.customer_id
                                                        and g.occurred_at > :since and g.occurred_at <= :boundary
                                where m.merchant_id = :merchant and m.tier_changed_at < :boundary and m.manual_tier is null
                                group by m.customer_id, m.tier""")
                        .bind("merchant", merchant.value()).bind("since", utc(since)).bind("boundary", utc(boundary))
                        .map((row, meta) -> new Object[] {row.get("customer_id", String.class), row.get("tier", String.class),
                                ((Number) row.get("score")).longValue()})
                        .all().collectList()
                        .flatMap(rows -> {
                            List<Change> changes = new ArrayList<>();
                            for (Object[] row : rows) {
                                String tier = (String) row[1];
                                long score = (Long) row[2];
                                String earned = program.tierFor(score);
                                if (!earned.equals(tier)) {
                                    TierChangeReason reason = program.rank(earned) > program.rank(tier) ? TierChangeReason.GROWTH
                                            : TierChangeReason.QUALIFICATION_PERIOD_END;
                                    changes.add(new Change(new MemberKey(merchant.value(), (String) row[0]), tier, earned, score, reason, boundary, program));
                                }
                            }
                            return apply(changes).flatMap(applied -> db.sql("""
                                            update tier_review set members = :members, changed = :changed
                                            where merchant_id = :merchant and period_start = :period""")
                                    .bind("members", rows.size()).bind("changed", applied.size())
                                    .bind("merchant", merchant.value()).bind("period", periodStart)
                                    .then()
                                    .thenReturn(new Review(periodStart, rows.size(), applied.size())));
                        }));
    }

    /**
     * Makes the changes whose member is still in the tier they start from: the members locked (in one order, as every
     * writer of member-service takes them: member rows, then their event counters), numbered, written, their events appended.
     */
    Mono<List<Change>> apply(List<Change> changes) {
        if (changes.isEmpty()) {
            return Mono.just(List.of());
        }
        String[] merchants = changes.stream().map(change -> change.member().merchantId()).toArray(String[]::new);
        String[] customers = changes.stream().map(change -> change.member().customerId()).toArray(String[]::new);
        return db.sql("""
                        select m.merchant_id, m.customer_id, m.tier, m.manual_tier from member m
                        join unnest(cast(:merchants as text[]), cast(:customers as text[])) as u(merchant_id, customer_id)
                          on m.merchant_id = u.merchant_id and m.customer_id = u.customer_id
                        where m.merchant_id = any(cast(:merchantIds as text[]))
                        order by m.merchant_id, m.customer_id
                        for update of m""")
                .bind("merchants", merchants).bind("customers", customers)
                .bind("merchantIds", MerchantId.distinct(merchants))
                .map((row, meta) -> Map.entry(new MemberKey(row.get("merchant_id", String.class), row.get("customer_id", String.class)),
                        new String[] {row.get("tier", String.class), row.get("manual_tier", String.class)}))
                .all().collectMap(Map.Entry::getKey, Map.Entry::getValue)
                .flatMap(current -> {
                    // Still in the tier the change starts from, and, unless the change is the merchant's own, without a manual tier
                    // set meanwhile (a manual tier holds whatever the score).
                    List<Change> still = changes.stream().filter(change -> current.containsKey(change.member())
                            && change.fromTier().equals(current.get(change.member())[0])
                            && (change.reason() == TierChangeReason.MANUAL || current.get(change.member())[1] == null)).toList();
                    if (still.isEmpty()) {
                        return Mono.just(List.<Change>of());
                    }
                    return sequences.next(Topics.MEMBERS.name(), still.stream().map(Change::member).toList())
                            .flatMap(numbers -> db.sql("""
                                            update member m set tier = u.tier, tier_reason = u.reason, tier_changed_at = u.changed_at
                                            from unnest(cast(:merchants as text[]), cast(:customers as text[]), cast(:tiers as text[]),
                                                        cast(:reasons as text[]), cast(:times as timestamptz[]))
                                                 as u(merchant_id, customer_id, tier, reason, changed_at)
                                            where m.merchant_id = u.merchant_id and m.customer_id = u.customer_id""")
                                    .bind("merchants", still.stream().map(change -> change.member().merchantId()).toArray(String[]::new))
                                    .bind("customers", still.stream().map(change -> change.member().customerId()).toArray(String[]::new))
                                    .bind("tiers", still.stream().map(Change::toTier).toArray(String[]::new))
                                    .bind("reasons", still.stream().map(change -> change.reason().name()).toArray(String[]::new))
                                    .bind("times", still.stream().map(change -> utc(change.at())).toArray(OffsetDateTime[]::new))
                                    .then()
                                    .then(outbox.append(events(still, numbers)))
                                    .thenReturn(still));
                });
    }

    private static List<Outbound> events(List<Change> changes, List<Long> numbers) {
        List<Outbound> events = new ArrayList<>();
        for (int i = 0; i < changes.size(); i++) {
            Change change = changes.get(i);
            MembershipProgram program = change.program();
            events.add(MemberEvents.tierChanged(change.member(), numbers.get(i), change.at(), MemberTierChanged.newBuilder()
                    .setFromTier(change.fromTier())
                    .setToTier(change.toTier())
                    .setDirection(program.rank(change.toTier()) > program.rank(change.fromTier()) ? TierChangeDirection.UPGRADE
                            : TierChangeDirection.DOWNGRADE)
                    .setGrowthScore(change.score())
                    .setReason(change.reason())
                    .build()));
        }
        return events;
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
