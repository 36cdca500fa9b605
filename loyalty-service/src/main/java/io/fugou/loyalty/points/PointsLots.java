package io.fugou.loyalty.points;

import io.fugou.events.MemberKey;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

/**
 * Available points lot by lot, so what is spent, taken back or expired leaves oldest first: the lot
 * that expires soonest, then the one made available first. Kept by {@link PointsLedger} in the same
 * transaction as the entries; a member's lots always add up to the available balance (less any debt).
 */
@Repository
public class PointsLots {

    /** What is left of the points one entry made available. */
    public record Lot(MemberKey member, String lotId, Instant createdAt, Instant expiresAt, long points, long remaining) {

        Lot less(long taken) {
            return new Lot(member, lotId, createdAt, expiresAt, points, remaining - taken);
        }
    }

    /** Soonest to expire first (never last), then first made available. */
    static final Comparator<Lot> FIFO = Comparator.comparing(Lot::expiresAt, Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(Lot::createdAt).thenComparing(Lot::lotId);

    private final DatabaseClient db;

    public PointsLots(DatabaseClient db) {
        this.db = db;
    }

    /** The lots with points left of these members, in the order they are used. */
    public Mono<Map<MemberKey, List<Lot>>> open(List<MemberKey> members) {
        if (members.isEmpty()) {
            return Mono.just(Map.of());
        }
        return db.sql("""
                        select l.merchant_id, l.customer_id, l.lot_id, l.created_at, l.expires_at, l.points, l.remaining
                        from points_lot l, unnest(cast(:merchants as text[]), cast(:customers as text[])) as u(merchant_id, customer_id)
                        where l.merchant_id = u.merchant_id and l.customer_id = u.customer_id and l.remaining > 0""")
                .bind("merchants", members.stream().map(MemberKey::merchantId).toArray(String[]::new))
                .bind("customers", members.stream().map(MemberKey::customerId).toArray(String[]::new))
                .map((row, meta) -> {
                    OffsetDateTime expires = row.get("expires_at", OffsetDateTime.class);
                    return new Lot(new MemberKey(row.get("merchant_id", String.class), row.get("customer_id", String.class)),
                            row.get("lot_id", String.class), row.get("created_at", OffsetDateTime.class).toInstant(),
                            expires == null ? null : expires.toInstant(), row.get("points", Long.class), row.get("remaining", Long.class));
                })
                .all()
                .collectList()
                .map(lots -> {
                    Map<MemberKey, List<Lot>> byMember = new HashMap<>();
                    members.forEach(member -> byMember.put(member, new ArrayList<>()));
                    lots.forEach(lot -> byMember.get(lot.member()).add(lot));
                    byMember.values().forEach(list -> list.sort(FIFO));
                    return byMember;
                });
    }

    /** Lots made and used by a batch of entries, applied in order, then written in two statements. */
    static final class Book {
        private final Map<MemberKey, List<Lot>> open;
        private final Map<String, Lot> latest = new LinkedHashMap<>();
        private final Set<String> made = new LinkedHashSet<>();

        Book(Map<MemberKey, List<Lot>> open) {
            this.open = open;
        }

        private static String key(Lot lot) {
            return lot.member().merchantId() + "\u0000" + lot.member().customerId() + "\u0000" + lot.lotId();
        }

        void apply(Posting posting, LedgerEntry entry) {
            if (entry.availableDelta() > 0) {
                long before = entry.balanceAfter() - entry.availableDelta();
                long repaid = before < 0 ? Math.min(-before, entry.availableDelta()) : 0; // a debt is paid off first
                Lot lot = new Lot(entry.member(), entry.entryId(), entry.occurredAt(), posting.expiresAt(), entry.availableDelta(),
                        entry.availableDelta() - repaid);
                made.add(key(lot));
                latest.put(key(lot), lot);
                List<Lot> lots = open.get(entry.member());
                if (lots != null && lot.remaining() > 0) {
                    lots.add(lot);
                    lots.sort(FIFO);
                }
            } else if (entry.availableDelta() < 0) {
                List<Lot> lots = open.get(entry.member());
                long needed = -entry.availableDelta();
                if (entry.kind() == EntryKind.EXPIRED) {
                    take(lots, needed, lot -> lot.expiresAt() != null && !lot.expiresAt().isAfter(posting.occurredAt()));
                    return;
                }
                if (posting.lotHint() != null) {
                    needed = take(lots, needed, lot -> lot.lotId().equals(posting.lotHint()));
                }
                take(lots, needed, lot -> true);
            }
        }

        private long take(List<Lot> lots, long needed, java.util.function.Predicate<Lot> which) {
            for (int i = 0; i < lots.size() && needed > 0; i++) {
                Lot lot = lots.get(i);
                if (lot.remaining() > 0 && which.test(lot)) {
                    long taken = Math.min(needed, lot.remaining());
                    Lot after = lot.less(taken);
                    lots.set(i, after);
                    latest.put(key(after), after);
                    needed -= taken;
                }
            }
            return needed;
        }

        List<Lot> made() {
            return made.stream().map(latest::get).toList();
        }

        List<Lot> used() {
            return latest.entrySet().stream().filter(e -> !made.contains(e.getKey())).map(Map.Entry::getValue).toList();
        }
    }

    /** Points a member has left in lots expiring at that time. */
    public record Expiring(MemberKey member, Instant expiresAt, long points) {
    }

    /** A merchant's members with points in lots expired by {@code now}, and how many, a round at a time. */
    public Mono<Map<MemberKey, Long>> expired(String merchantId, Instant now, int limit) {
        return db.sql("""
                        select customer_id, sum(remaining) as points from points_lot
                        where merchant_id = :merchant and remaining > 0 and expires_at <= :now
                        group by customer_id order by customer_id limit :limit""")
                .bind("merchant", merchantId).bind("now", utc(now)).bind("limit", limit)
                .map((row, meta) -> Map.entry(new MemberKey(merchantId, row.get("customer_id", String.class)),
                        ((Number) row.get("points")).longValue()))
                .all()
                .collectMap(Map.Entry::getKey, Map.Entry::getValue, LinkedHashMap::new);
    }

    /** These members' points in lots expired by {@code now} (read under their locks, it is what expires). */
    public Mono<Map<MemberKey, Long>> expiredOf(List<MemberKey> members, Instant now) {
        return db.sql("""
                        select l.merchant_id, l.customer_id, sum(l.remaining) as points
                        from points_lot l, unnest(cast(:merchants as text[]), cast(:customers as text[])) as u(merchant_id, customer_id)
                        where l.merchant_id = u.merchant_id and l.customer_id = u.customer_id and l.remaining > 0 and l.expires_at <= :now
                        group by l.merchant_id, l.customer_id""")
                .bind("merchants", members.stream().map(MemberKey::merchantId).toArray(String[]::new))
                .bind("customers", members.stream().map(MemberKey::customerId).toArray(String[]::new))
                .bind("now", utc(now))
                .map((row, meta) -> Map.entry(new MemberKey(row.get("merchant_id", String.class), row.get("customer_id", String.class)),
                        ((Number) row.get("points")).longValue()))
                .all()
                .collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    /**
     * A merchant's points in lots expiring after {@code from} and no later than {@code until}, one row per member (at the
     * earliest of their expiry times), member by member after {@code afterCustomer}.
     */
    public Mono<List<Expiring>> expiringAfter(String merchantId, String afterCustomer, Instant from, Instant until, int limit) {
        return db.sql("""
                        select customer_id, min(expires_at) as expires_at, sum(remaining) as points from points_lot
                        where merchant_id = :merchant and customer_id > :after and remaining > 0 and expires_at > :from and expires_at <= :until
                        group by customer_id order by customer_id limit :limit""")
                .bind("merchant", merchantId).bind("after", afterCustomer)
                .bind("from", utc(from)).bind("until", utc(until)).bind("limit", limit)
                .map((row, meta) -> new Expiring(new MemberKey(merchantId, row.get("customer_id", String.class)),
                        row.get("expires_at", OffsetDateTime.class).toInstant(), ((Number) row.get("points")).longValue()))
                .all()
                .collectList();
    }

    /** A member's points in lots expiring after {@code from} and no later than {@code until}, by expiry time. */
    public Mono<List<Expiring>> expiring(String merchantId, String customerId, Instant from, Instant until, int limit) {
        return db.sql("""
                        select customer_id, expires_at, sum(remaining) as points from points_lot
                        where merchant_id = :merchant and customer_id = :customer
                          and remaining > 0 and expires_at > :from and expires_at <= :until
                        group by customer_id, expires_at order by customer_id, expires_at limit :limit""")
                .bind("merchant", merchantId)
                .bind("customer", customerId)
                .bind("from", utc(from)).bind("until", utc(until)).bind("limit", limit)
                .map((row, meta) -> new Expiring(new MemberKey(merchantId, row.get("customer_id", String.class)),
                        row.get("expires_at", OffsetDateTime.class).toInstant(), ((Number) row.get("points")).longValue()))
                .all()
                .collectList();
    }

    Mono<Void> store(Book book) {
        return insert(book.made()).then(update(book.used()));
    }

    private Mono<Void> insert(List<Lot> lots) {
        if (lots.isEmpty()) {
            return Mono.empty();
        }
        return db.sql("""
                        insert into points_lot (merchant_id, customer_id, lot_id, created_at, expires_at, points, remaining)
                        select * from unnest(cast(:merchants as text[]), cast(:customers as text[]), cast(:lotIds as text[]),
                                             cast(:created as timestamptz[]), cast(:expires as timestamptz[]), cast(:points as bigint[]),
                                             cast(:remaining as bigint[]))""")
                .bind("merchants", lots.stream().map(l -> l.member().merchantId()).toArray(String[]::new))
                .bind("customers", lots.stream().map(l -> l.member().customerId()).toArray(String[]::new))
                .bind("lotIds", lots.stream().map(Lot::lotId).toArray(String[]::new))
                .bind("created", lots.stream().map(l -> utc(l.createdAt())).toArray(OffsetDateTime[]::new))
                .bind("expires", lots.stream().map(l -> utc(l.expiresAt())).toArray(OffsetDateTime[]::new))
                .bind("points", lots.stream().map(Lot::points).toArray(Long[]::new))
                .bind("remaining", lots.stream().map(Lot::remaining).toArray(Long[]::new))
                .then();
    }

    private Mono<Void> update(List<Lot> lots) {
        if (lots.isEmpty()) {
            return Mono.empty();
        }
        return db.sql("""
                        update points_lot l set remaining = u.remaining
                        from unnest(cast(:merchants as text[]), cast(:customers as text[]), cast(:lotIds as text[]), cast(:remaining as bigint[]))
                             as u(merchant_id, customer_id, lot_id, remaining)
                        where l.merchant_id = u.merchant_id and l.customer_id = u.customer_id and l.lot_id = u.lot_id""")
                .bind("merchants", lots.stream().map(l -> l.member().merchantId()).toArray(String[]::new))
                .bind("customers", lots.stream().map(l -> l.member().customerId()).toArray(String[]::new))
                .bind("lotIds", lots.stream().map(Lot::lotId).toArray(String[]::new))
                .bind("remaining", lots.stream().map(Lot::remaining).toArray(Long[]::new))
                .then();
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
