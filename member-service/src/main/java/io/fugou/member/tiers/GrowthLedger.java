package io.fugou.member.tiers;

import io.fugou.platform.merchant.MerchantId;
import io.fugou.events.MemberKey;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

/**
 * The growth score's entries (会员成长值): what each order, refund, cancellation and points event added or took back,
 * recorded once per cause, at its event time. A member's score at a time is the sum of the entries in the window
 * before it, so a late event lands where it belongs and a replay gives the same scores.
 */
@Repository
public class GrowthLedger {

    public enum Source { ORDER, REFUND, CANCELLATION, POINTS }

    /** {@code basisMinor}: an order's paid total, which its refunds are taken back in proportion to; a refund's amount refunded. */
    public record Entry(MemberKey member, Source source, String sourceId, String orderId, long amount, Long basisMinor, Instant at) {
    }

    /** What an order gave, what its refunds and cancellation took back so far, and how much money its refunds returned. */
    public record OrderGrowth(MemberKey member, long growth, long basisMinor, long takenBack, long refundedMinor) {

        public long remaining() {
            return growth - takenBack;
        }
    }

    private final DatabaseClient db;

    public GrowthLedger(DatabaseClient db) {
        this.db = db;
    }

    /** Records the entries not recorded yet (by source and its id); returns those recorded now. */
    public Mono<List<Entry>> record(List<Entry> entries) {
        if (entries.isEmpty()) {
            return Mono.just(List.of());
        }
        int size = entries.size();
        String[] merchants = new String[size];
        String[] customers = new String[size];
        String[] sources = new String[size];
        String[] sourceIds = new String[size];
        String[] orders = new String[size];
        Long[] amounts = new Long[size];
        Long[] bases = new Long[size];
        OffsetDateTime[] times = new OffsetDateTime[size];
        Map<String, Entry> byKey = new HashMap<>();
        for (int i = 0; i < size; i++) {
            Entry entry = entries.get(i);
            merchants[i] = entry.member().merchantId();
            customers[i] = entry.member().customerId();
            sources[i] = entry.source().name();
            sourceIds[i] = entry.sourceId();
            orders[i] = entry.orderId();
            amounts[i] = entry.amount();
            bases[i] = entry.basisMinor();
            times[i] = OffsetDateTime.ofInstant(entry.at(), ZoneOffset.UTC);
            byKey.putIfAbsent(key(merchants[i], sources[i], sourceIds[i]), entry);
        }
        return db.sql("""
                        insert into growth_entry (merchant_id, customer_id, source, source_id, order_id, amount, basis_minor, occurred_at)
                        select u.merchant_id, u.customer_id, u.source, u.source_id, u.order_id, u.amount, u.basis_minor, u.occurred_at
                        from unnest(cast(:merchants as text[]), cast(:customers as text[]), cast(:sources as text[]), cast(:sourceIds as text[]),
                                    cast(:orders as text[]), cast(:amounts as bigint[]), cast(:bases as bigint[]), cast(:times as timestamptz[]))
                             as u(merchant_id, customer_id, source, source_id, order_id, amount, basis_minor, occurred_at)
                        on conflict (merchant_id, source, source_id) do nothing
                        returning merchant_id, source, source_id""")
                .bind("merchants", merchants).bind("customers", customers).bind("sources", sources).bind("sourceIds", sourceIds)
                .bind("orders", orders).bind("amounts", amounts).bind("bases", bases).bind("times", times)
                .map((row, meta) -> byKey.get(key(row.get("merchant_id", String.class), row.get("source", String.class), row.get("source_id", String.class))))
                .all().collectList();
    }

    /** The growth of these orders ("merchant\0orderId" keys); orders never seen are absent. */
    public Mono<Map<String, OrderGrowth>> ofOrders(List<String> merchants, List<String> orderIds) {
        if (orderIds.isEmpty()) {
            return Mono.just(Map.of());
        }
        return db.sql("""
                        select o.merchant_id, o.customer_id, o.order_id, o.amount, o.basis_minor,
                               coalesce((select -sum(r.amount) from growth_entry r where r.merchant_id = o.merchant_id and r.order_id = o.order_id
                                         and r.source in ('REFUND', 'CANCELLATION')), 0) as taken_back,
                               coalesce((select sum(r.basis_minor) from growth_entry r where r.merchant_id = o.merchant_id and r.order_id = o.order_id
                                         and r.source = 'REFUND'), 0) as refunded
                        from growth_entry o
                        join unnest(cast(:merchants as text[]), cast(:orders as text[])) as u(merchant_id, order_id)
                          on o.merchant_id = u.merchant_id and o.order_id = u.order_id
                        where o.merchant_id = any(cast(:merchantIds as text[])) and o.source = 'ORDER'""")
                .bind("merchants", merchants.toArray(String[]::new)).bind("orders", orderIds.toArray(String[]::new))
                .bind("merchantIds", MerchantId.distinct(merchants.toArray(String[]::new)))
                .map((row, meta) -> Map.entry(orderKey(row.get("merchant_id", String.class), row.get("order_id", String.class)),
                        new OrderGrowth(new MemberKey(row.get("merchant_id", String.class), row.get("customer_id", String.class)),
                                row.get("amount", Long.class), row.get("basis_minor", Long.class), ((Number) row.get("taken_back")).longValue(),
                                ((Number) row.get("refunded")).longValue())))
                .all()
                .collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    /** What points events gave each of these orders so far ("merchant\0orderId" keys), for reversals to take back no more. */
    public Mono<Map<String, Long>> pointsOfOrders(List<String> merchants, List<String> orderIds) {
        if (orderIds.isEmpty()) {
            return Mono.just(Map.of());
        }
        return db.sql("""
                        select g.merchant_id, g.order_id, sum(g.amount) as points from growth_entry g
                        join unnest(cast(:merchants as text[]), cast(:orders as text[])) as u(merchant_id, order_id)
                          on g.merchant_id = u.merchant_id and g.order_id = u.order_id
                        where g.merchant_id = any(cast(:merchantIds as text[])) and g.source = 'POINTS'
                        group by g.merchant_id, g.order_id""")
                .bind("merchants", merchants.toArray(String[]::new)).bind("orders", orderIds.toArray(String[]::new))
                .bind("merchantIds", MerchantId.distinct(merchants.toArray(String[]::new)))
                .map((row, meta) -> Map.entry(orderKey(row.get("merchant_id", String.class), row.get("order_id", String.class)),
                        ((Number) row.get("points")).longValue()))
                .all().collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    /** A window of one member's score: the entries after {@code since}, up to and including {@code until}. */
    public record Window(MemberKey member, Instant since, Instant until) {
    }

    /** Each member's score over their window, in one query. */
    public Mono<Map<MemberKey, Long>> scores(List<Window> windows) {
        if (windows.isEmpty()) {
            return Mono.just(Map.of());
        }
        List<String> merchants = new ArrayList<>();
        List<String> customers = new ArrayList<>();
        List<OffsetDateTime> since = new ArrayList<>();
        List<OffsetDateTime> until = new ArrayList<>();
        for (Window window : windows) {
            merchants.add(window.member().merchantId());
            customers.add(window.member().customerId());
            since.add(OffsetDateTime.ofInstant(window.since(), ZoneOffset.UTC));
            until.add(OffsetDateTime.ofInstant(window.until(), ZoneOffset.UTC));
        }
        return db.sql("""
                        select u.merchant_id, u.customer_id, coalesce(sum(g.amount), 0) as score
                        from unnest(cast(:merchants as text[]), cast(:customers as text[]), cast(:since as timestamptz[]), cast(:until as timestamptz[]))
                             as u(merchant_id, customer_id, since, until)
                        left join growth_entry g on g.merchant_id = u.merchant_id and g.customer_id = u.customer_id
                                                and g.occurred_at > u.since and g.occurred_at <= u.until
                        where u.merchant_id = any(cast(:merchantIds as text[]))
                        group by u.merchant_id, u.customer_id""")
                .bind("merchants", merchants.toArray(String[]::new)).bind("customers", customers.toArray(String[]::new))
                .bind("merchantIds", MerchantId.distinct(merchants.toArray(String[]::new)))
                .bind("since", since.toArray(OffsetDateTime[]::new)).bind("until", until.toArray(OffsetDateTime[]::new))
                .map((row, meta) -> Map.entry(new MemberKey(row.get("merchant_id", String.class), row.get("customer_id", String.class)),
                        ((Number) row.get("score")).longValue()))
                .all()
                .collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    /** The members given growth among these entries, and the latest time each was given some. */
    public static Map<MemberKey, Instant> latestGrowth(List<Entry> recorded) {
        Map<MemberKey, Instant> latest = new LinkedHashMap<>();
        recorded.stream().filter(entry -> entry.amount() > 0)
                .forEach(entry -> latest.merge(entry.member(), entry.at(), (first, second) -> first.isAfter(second) ? first : second));
        return latest;
    }

    public static String orderKey(String merchant, String orderId) {
        return merchant + '\u0000' + orderId;
    }

    private static String key(String merchant, String source, String sourceId) {
        return merchant + '\u0000' + source + '\u0000' + sourceId;
    }
}
