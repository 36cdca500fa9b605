package io.fugou.loyalty.points;

import io.fugou.events.MemberKey;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

/**
 * Points earned per member and local day, for the per-member daily cap: one read and one write per
 * batch, the batch's claims granted in order.
 */
@Repository
public class DailyEarnings {

    /** Points an order would earn on a member's day, and the day's cap (null for none). */
    public record Claim(MemberKey member, LocalDate day, long points, Long cap) {
    }

    private record MemberDay(MemberKey member, LocalDate day) {
    }

    private final DatabaseClient db;

    public DailyEarnings(DatabaseClient db) {
        this.db = db;
    }

    /** What each claim is granted, in order: all of it, or what is left of the day's cap. */
    public Mono<List<Long>> claim(List<Claim> claims) {
        if (claims.isEmpty()) {
            return Mono.just(List.of());
        }
        List<MemberDay> days = claims.stream().map(c -> new MemberDay(c.member(), c.day())).distinct().toList();
        return earned(days).flatMap(earned -> {
            Map<MemberDay, Long> totals = new LinkedHashMap<>();
            days.forEach(day -> totals.put(day, earned.getOrDefault(day, 0L)));
            List<Long> granted = new ArrayList<>();
            for (Claim claim : claims) {
                MemberDay day = new MemberDay(claim.member(), claim.day());
                long sofar = totals.get(day);
                long grant = claim.cap() == null ? claim.points() : Math.max(0, Math.min(claim.points(), claim.cap() - sofar));
                granted.add(grant);
                totals.put(day, sofar + grant);
            }
            return store(totals).thenReturn(granted);
        });
    }

    private Mono<Map<MemberDay, Long>> earned(List<MemberDay> days) {
        return db.sql("""
                        select d.merchant_id, d.customer_id, d.day, d.points
                        from unnest(cast(:merchants as text[]), cast(:customers as text[]), cast(:days as date[])) as u(merchant_id, customer_id, day)
                        -- By key, one lookup per member and day (see PaidOrders.known)
                        cross join lateral (select * from points_daily_earned e
                                              where e.merchant_id = u.merchant_id and e.customer_id = u.customer_id and e.day = u.day limit 1) d""")
                .bind("merchants", days.stream().map(d -> d.member().merchantId()).toArray(String[]::new))
                .bind("customers", days.stream().map(d -> d.member().customerId()).toArray(String[]::new))
                .bind("days", days.stream().map(MemberDay::day).toArray(LocalDate[]::new))
                .map((row, meta) -> Map.entry(new MemberDay(new MemberKey(row.get("merchant_id", String.class),
                        row.get("customer_id", String.class)), row.get("day", LocalDate.class)), row.get("points", Long.class)))
                .all()
                .collectMap(Map.Entry::getKey, Map.Entry::getValue, HashMap::new);
    }

    private Mono<Void> store(Map<MemberDay, Long> totals) {
        // Sorted, so two writers touching the same rows lock them in one order.
        List<MemberDay> days = totals.keySet().stream().sorted(Comparator.comparing((MemberDay d) -> d.member().merchantId())
                .thenComparing(d -> d.member().customerId()).thenComparing(MemberDay::day)).toList();
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
