package io.fugou.loyalty.totals;

import io.fugou.platform.merchant.MerchantId;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

/**
 * A merchant's points as its books see them: what is outstanding (a liability: available and pending
 * points not yet spent, expired or taken back), and what was issued, redeemed, expired and taken back
 * on each day of the merchant's calendar.
 */
@Repository
public class MerchantTotals {

    /** Points outstanding now and the members holding them. */
    public record Outstanding(long available, long pending, long held, long members) {
    }

    /**
     * One day's movements: {@code issued} (earned from orders, interactions and campaigns, and corrections that
     * added points), {@code redeemed}, {@code expired}, {@code reversed} (taken back by refunds), {@code corrected}
     * (corrections that took points away, as a positive number).
     */
    public record Day(LocalDate day, long issued, long redeemed, long expired, long reversed, long corrected) {
    }

    private final DatabaseClient db;

    public MerchantTotals(DatabaseClient db) {
        this.db = db;
    }

    public Mono<Outstanding> outstanding(MerchantId merchant, OffsetDateTime now) {
        return db.sql("""
                        select coalesce(sum(available), 0) as available, coalesce(sum(pending), 0) as pending, count(*) as members,
                               (select coalesce(sum(points), 0) from redemption r
                                where r.merchant_id = :merchant and r.state = 'reserved' and r.expires_at > :now) as held
                        from points_balance where merchant_id = :merchant and (available <> 0 or pending <> 0)""")
                .bind("merchant", merchant.value()).bind("now", now)
                .map((row, meta) -> new Outstanding(number(row.get("available")), number(row.get("pending")), number(row.get("held")),
                        number(row.get("members"))))
                .one();
    }

    /** Each day from {@code from} to {@code to} (inclusive) in the merchant's zone, days without movement included. */
    public Mono<List<Day>> days(MerchantId merchant, LocalDate from, LocalDate to, ZoneId zone) {
        return db.sql("""
                        select cast(occurred_at at time zone :zone as date) as day,
                               coalesce(sum(points) filter (where kind = 'earned' or (kind = 'adjusted' and points > 0)), 0) as issued,
                               coalesce(sum(points) filter (where kind = 'redeemed'), 0) as redeemed,
                               coalesce(sum(points) filter (where kind = 'expired'), 0) as expired,
                               coalesce(sum(points) filter (where kind = 'reversed'), 0) as reversed,
                               coalesce(-sum(points) filter (where kind = 'adjusted' and points < 0), 0) as corrected
                        from points_entry
                        where merchant_id = :merchant and occurred_at >= :from and occurred_at < :to
                        group by 1""")
                .bind("merchant", merchant.value()).bind("zone", zone.getId())
                .bind("from", from.atStartOfDay(zone).toOffsetDateTime().withOffsetSameInstant(ZoneOffset.UTC))
                .bind("to", to.plusDays(1).atStartOfDay(zone).toOffsetDateTime().withOffsetSameInstant(ZoneOffset.UTC))
                .map((row, meta) -> new Day(row.get("day", LocalDate.class), number(row.get("issued")), number(row.get("redeemed")),
                        number(row.get("expired")), number(row.get("reversed")), number(row.get("corrected"))))
                .all()
                .collectMap(Day::day, day -> day)
                .map(found -> {
                    Map<LocalDate, Day> all = new TreeMap<>(found);
                    for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) {
                        all.putIfAbsent(day, new Day(day, 0, 0, 0, 0, 0));
                    }
                    return List.copyOf(all.values());
                });
    }

    private static long number(Object value) {
        return value == null ? 0 : ((Number) value).longValue();
    }
}
