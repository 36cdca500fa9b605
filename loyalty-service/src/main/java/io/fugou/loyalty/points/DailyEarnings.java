package io.fugou.loyalty.points;

import io.fugou.events.MemberKey;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

/**
 * Points earned per member and local day, for the per-member daily cap: one statement per batch adds
 * what the batch claims and returns the totals of the days that may have gone over a cap, so their totals
 * before it follow; their claims are granted in order from those, and only the days a cap held back
 * are written again.
 */
@Repository
public class DailyEarnings {

    /** Points an order would earn on a member's day, and the day's cap (null for none). */
    public record Claim(MemberKey member, LocalDate day, long points, Long cap) {
    }

    private record MemberDay(MemberKey member, LocalDate day) {
    }

    /** Sorted, so two writers touching the same rows lock them in one order (written out as {@link PointsLedger#MEMBER_ORDER} is). */
    private static final Comparator<MemberDay> ROW_ORDER = (a, b) -> {
        int byMember = PointsLedger.MEMBER_ORDER.compare(a.member(), b.member());
        return byMember != 0 ? byMember : a.day().compareTo(b.day());
    };

    private final DatabaseClient db;

    public DailyEarnings(DatabaseClient db) {
        this.db = db;
    }

    /** What each claim is granted, in order: all of it, or what is left of the day's cap. */
    public Mono<List<Long>> claim(List<Claim> claims) {
        if (claims.isEmpty()) {
            return Mono.just(List.of());
        }
        Map<MemberDay, Long> claimed = new HashMap<>();
        long lowestCap = Long.MAX_VALUE;
        for (Claim claim : claims) {
            claimed.merge(new MemberDay(claim.member(), claim.day()), claim.points(), Long::sum);
            if (claim.cap() != null) {
                lowestCap = Math.min(lowestCap, claim.cap());
            }
        }
        // Most days stay under their cap: everything claimed is added at once, and only the days over the batch's lowest cap
        // come back, to be worked out claim by claim and put right. A day under it granted every claim whole.
        return add(claimed, lowestCap).flatMap(over -> {
            if (over.isEmpty()) {
                return Mono.just(claims.stream().map(Claim::points).toList());
            }
            Map<MemberDay, Long> totals = new HashMap<>();
            over.forEach((day, total) -> totals.put(day, total - claimed.get(day)));
            List<Long> granted = new ArrayList<>(claims.size());
            for (Claim claim : claims) {
                MemberDay day = new MemberDay(claim.member(), claim.day());
                Long sofar = totals.get(day);
                if (sofar == null) {
                    granted.add(claim.points());
                    continue;
                }
                long grant = claim.cap() == null ? claim.points() : Math.max(0, Math.min(claim.points(), claim.cap() - sofar));
                granted.add(grant);
                totals.put(day, sofar + grant);
            }
            Map<MemberDay, Long> heldBack = new HashMap<>();
            totals.forEach((day, total) -> {
                if (total.longValue() != over.get(day)) {
                    heldBack.put(day, total);
                }
            });
            return heldBack.isEmpty() ? Mono.just(granted) : store(heldBack).thenReturn(granted);
        });
    }

    /**
     * Adds the points to each member's day, its row locked until the transaction ends; the totals after it of the days over
     * the lowest cap in the batch (a day under it is under its own).
     */
    private Mono<Map<MemberDay, Long>> add(Map<MemberDay, Long> points, long lowestCap) {
        List<MemberDay> days = points.keySet().stream().sorted(ROW_ORDER).toList();
        String[] merchants = days.stream().map(d -> d.member().merchantId()).toArray(String[]::new);
        // One cap for the whole batch, not each day's: joining each day to its own cap cost the database more (a join of the
        // batch with itself) than decoding every row had cost here.
        return db.sql("""
                        with added as (
                            insert into points_daily_earned as d (merchant_id, customer_id, day, points)
                            select * from unnest(cast(:merchants as text[]), cast(:customers as text[]), cast(:days as date[]),
                                                 cast(:points as bigint[]))
                            on conflict (merchant_id, customer_id, day) do update set points = d.points + excluded.points
                            returning merchant_id, customer_id, day, points)
                        select merchant_id, customer_id, day, points from added
                        where points > :lowestCap and merchant_id = any(cast(:scope as text[]))""")
                .bind("merchants", merchants)
                .bind("customers", days.stream().map(d -> d.member().customerId()).toArray(String[]::new))
                .bind("days", days.stream().map(MemberDay::day).toArray(LocalDate[]::new))
                .bind("points", days.stream().map(points::get).toArray(Long[]::new))
                .bind("lowestCap", lowestCap)
                .bind("scope", merchants)
                .map((row, meta) -> Map.entry(new MemberDay(new MemberKey(row.get("merchant_id", String.class),
                        row.get("customer_id", String.class)), row.get("day", LocalDate.class)), row.get("points", Long.class)))
                .all()
                .collectMap(Map.Entry::getKey, Map.Entry::getValue, HashMap::new);
    }

    /** Sets the days' totals: rows {@link #add} wrote (and locked) in this transaction. */
    private Mono<Void> store(Map<MemberDay, Long> totals) {
        List<MemberDay> days = totals.keySet().stream().sorted(ROW_ORDER).toList();
        return db.sql("""
                        insert into points_daily_earned as d (merchant_id, customer_id, day, points)
                        select * from unnest(cast(:merchants as text[]), cast(:customers as text[]), cast(:days as date[]), cast(:points as bigint[]))
                        on conflict (merchant_id, customer_id, day) do update set points = excluded.points""")
                .bind("merchants", days.stream().map(d -> d.member().merchantId()).toArray(String[]::new))
                .bind("customers", days.stream().map(d -> d.member().customerId()).toArray(String[]::new))
                .bind("days", days.stream().map(MemberDay::day).toArray(LocalDate[]::new))
                .bind("points", days.stream().map(totals::get).toArray(Long[]::new))
                .then();
    }
}
