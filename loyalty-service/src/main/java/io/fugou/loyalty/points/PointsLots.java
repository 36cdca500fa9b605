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
