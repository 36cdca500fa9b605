package io.fugou.member.paid;

import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.events.common.Money;
import io.fugou.events.members.PaidMembershipEndReason;
import io.fugou.events.members.PaidMembershipLapsed;
import io.fugou.events.members.PaidMembershipRenewed;
import io.fugou.events.members.PaidMembershipStarted;
import io.fugou.member.events.MemberEvents;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.pipeline.MemberSequences;
import io.fugou.platform.pipeline.Outbound;
import io.fugou.platform.pipeline.Outbox;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Paid memberships (like 88VIP or JD PLUS): a purchase starts the plan's term, or extends it from its current end
 * while it runs; a refund or cancellation of the order that bought it ends it at once; a term that runs out lapses.
 * Each purchase counts once (by its id), and each change publishes its event through the outbox in the caller's
 * transaction. Members are locked first (their rows, then their event counters), as every member-service writer does.
 */
@Service
public class PaidMemberships {

    /** A purchase of {@code terms} terms of a plan; {@code purchaseId}: the order and SKU, or the API's id. */
    public record Purchase(MemberKey member, String planId, int termMonths, String purchaseId, String orderId, int terms, Money price,
                           Instant at, ZoneId zone) {
    }

    /** A member's plan: its current term, and when and why it ended, if it did. */
    public record Membership(String planId, Instant startedAt, Instant endsAt, Instant endedAt, String endReason) {

        public boolean activeAt(Instant at) {
            return endedAt == null && endsAt.isAfter(at);
        }
    }

    private final DatabaseClient db;
    private final MemberSequences sequences;
    private final Outbox outbox;

    public PaidMemberships(DatabaseClient db, MemberSequences sequences, Outbox outbox) {
        this.db = db;
        this.sequences = sequences;
        this.outbox = outbox;
    }

    /** Applies the purchases not applied yet, in order; returns each member's plan after them. */
    public Mono<List<Membership>> purchase(List<Purchase> purchases) {
        if (purchases.isEmpty()) {
            return Mono.just(List.of());
        }
        return lockMembers(purchases.stream().map(Purchase::member).toList())
                .then(recordPurchases(purchases))
                .flatMap(fresh -> fresh.isEmpty() ? Mono.just(List.<Membership>of()) : current(fresh).flatMap(memberships -> {
                    List<MemberKey> changed = new ArrayList<>();
                    List<SpecificRecord> payloads = new ArrayList<>();
                    List<Instant> times = new ArrayList<>();
                    Map<String, Membership> after = new HashMap<>(memberships);
                    for (Purchase purchase : fresh) {
                        String key = key(purchase.member(), purchase.planId());
                        Membership now = after.get(key);
                        int months = purchase.termMonths() * purchase.terms();
                        if (now != null && now.activeAt(purchase.at())) {
                            Instant endsAt = now.endsAt().atZone(purchase.zone()).plusMonths(months).toInstant();
                            now = new Membership(purchase.planId(), now.startedAt(), endsAt, null, null);
                            payloads.add(PaidMembershipRenewed.newBuilder().setPlanId(purchase.planId()).setPrice(purchase.price()).setEndsAt(endsAt).build());
                        } else {
                            Instant endsAt = purchase.at().atZone(purchase.zone()).plusMonths(months).toInstant();
                            now = new Membership(purchase.planId(), purchase.at(), endsAt, null, null);
                            payloads.add(PaidMembershipStarted.newBuilder().setPlanId(purchase.planId()).setPrice(purchase.price())
                                    .setStartsAt(purchase.at()).setEndsAt(endsAt).build());
                        }
                        after.put(key, now);
                        changed.add(purchase.member());
                        times.add(purchase.at());
                    }
                    Map<String, MemberKey> owners = new HashMap<>();
                    fresh.forEach(purchase -> owners.put(key(purchase.member(), purchase.planId()), purchase.member()));
                    return save(after, owners).then(publish(changed, times, payloads)).thenReturn(List.copyOf(after.values()));
                }));
    }

    /**
     * Ends the plans bought in these orders (refunded or cancelled), at the given times; returns how many ended. An order of
     * an earlier term that already ended ends nothing now; a refunded renewal ends the membership (the rule: a
     * refund ends it), the rest of the term it extended included.
     */
    public Mono<Integer> endBoughtIn(List<MemberKey> buyers, List<String> orderIds, List<Instant> at) {
        if (orderIds.isEmpty()) {
            return Mono.just(0);
        }
        Map<String, Instant> endAt = new HashMap<>();
        for (int i = 0; i < orderIds.size(); i++) {
            endAt.merge(buyers.get(i).merchantId() + '\u0000' + orderIds.get(i), at.get(i), (a, b) -> a.isBefore(b) ? a : b);
        }
        return lockMembers(buyers).then(db.sql("""
                        select distinct p.merchant_id, p.customer_id, p.plan_id, b.order_id from paid_membership p
                        join paid_membership_purchase b on b.merchant_id = p.merchant_id and b.customer_id = p.customer_id and b.plan_id = p.plan_id
                        join unnest(cast(:merchants as text[]), cast(:orders as text[])) as u(merchant_id, order_id)
                          on b.merchant_id = u.merchant_id and b.order_id = u.order_id
                        where p.merchant_id = any(cast(:merchantIds as text[])) and p.ended_at is null and b.purchased_at >= p.started_at""")
                .bind("merchants", buyers.stream().map(MemberKey::merchantId).toArray(String[]::new))
                .bind("merchantIds", MerchantId.distinct(buyers.stream().map(MemberKey::merchantId).toArray(String[]::new)))
                .bind("orders", orderIds.toArray(String[]::new))
                .map((row, meta) -> new String[] {row.get("merchant_id", String.class), row.get("customer_id", String.class),
                        row.get("plan_id", String.class), row.get("order_id", String.class)})
                .all().collectList())
                .flatMap(rows -> end(rows.stream().map(row -> new Ending(new MemberKey(row[0], row[1]), row[2],
                        endAt.get(row[0] + '\u0000' + row[3]), PaidMembershipEndReason.REFUNDED)).toList()));
    }

    /**
     * Lapses the merchant's plans whose term has run out by {@code now}, each at its term's end; one renewed meanwhile (its end
     * moved after it was read) is left running.
     */
    public Mono<Integer> lapseDue(MerchantId merchant, Instant now) {
        return db.sql("""
                        select customer_id, plan_id, ends_at from paid_membership
                        where merchant_id = :merchant and ended_at is null and ends_at <= :now""")
                .bind("merchant", merchant.value()).bind("now", utc(now))
                .map((row, meta) -> new Ending(new MemberKey(merchant.value(), row.get("customer_id", String.class)), row.get("plan_id", String.class),
                        row.get("ends_at", OffsetDateTime.class).toInstant(), PaidMembershipEndReason.TERM_ENDED))
                .all().collectList()
                .flatMap(due -> lockMembers(due.stream().map(Ending::member).toList()).then(end(due)));
    }

    /** A purchase recorded before: whose and of which plan. */
    public record Recorded(String customerId, String planId) {
    }

    public Mono<Recorded> purchaseOf(MerchantId merchant, String purchaseId) {
        return db.sql("select customer_id, plan_id from paid_membership_purchase where merchant_id = :merchant and purchase_id = :purchase")
                .bind("merchant", merchant.value()).bind("purchase", purchaseId)
                .map((row, meta) -> new Recorded(row.get("customer_id", String.class), row.get("plan_id", String.class)))
                .one();
    }

    /** A member's plans, current and past. */
    public Flux<Membership> of(MerchantId merchant, String customerId) {
        return db.sql("""
                        select plan_id, started_at, ends_at, ended_at, end_reason from paid_membership
                        where merchant_id = :merchant and customer_id = :customer order by started_at""")
                .bind("merchant", merchant.value()).bind("customer", customerId)
                .map((row, meta) -> membership(row))
                .all();
    }

    private record Ending(MemberKey member, String planId, Instant at, PaidMembershipEndReason reason) {
    }

    private Mono<Integer> end(List<Ending> endings) {
        if (endings.isEmpty()) {
            return Mono.just(0);
        }
        return db.sql("""
                        update paid_membership p set ended_at = u.ended_at, end_reason = u.reason
                        from unnest(cast(:merchants as text[]), cast(:customers as text[]), cast(:plans as text[]), cast(:times as timestamptz[]),
                                    cast(:reasons as text[])) as u(merchant_id, customer_id, plan_id, ended_at, reason)
                        where p.merchant_id = u.merchant_id and p.customer_id = u.customer_id and p.plan_id = u.plan_id and p.ended_at is null
                          and (u.reason <> 'TERM_ENDED' or p.ends_at = u.ended_at)
                        returning p.merchant_id, p.customer_id, p.plan_id, p.ended_at, p.end_reason""")
                .bind("merchants", endings.stream().map(ending -> ending.member().merchantId()).toArray(String[]::new))
                .bind("customers", endings.stream().map(ending -> ending.member().customerId()).toArray(String[]::new))
                .bind("plans", endings.stream().map(Ending::planId).toArray(String[]::new))
                .bind("times", endings.stream().map(ending -> utc(ending.at())).toArray(OffsetDateTime[]::new))
                .bind("reasons", endings.stream().map(ending -> ending.reason().name()).toArray(String[]::new))
                .map((row, meta) -> new Ending(new MemberKey(row.get("merchant_id", String.class), row.get("customer_id", String.class)),
                        row.get("plan_id", String.class), row.get("ended_at", OffsetDateTime.class).toInstant(),
                        PaidMembershipEndReason.valueOf(row.get("end_reason", String.class))))
                .all().collectList()
                .flatMap(ended -> publish(ended.stream().map(Ending::member).toList(), ended.stream().map(Ending::at).toList(),
                        ended.stream().<SpecificRecord>map(ending -> PaidMembershipLapsed.newBuilder().setPlanId(ending.planId()).setLapsedAt(ending.at())
                                .setReason(ending.reason()).build()).toList()).thenReturn(ended.size()));
    }

    private Mono<Void> lockMembers(List<MemberKey> members) {
        List<MemberKey> sorted = members.stream().distinct().sorted(Comparator.comparing(MemberKey::merchantId).thenComparing(MemberKey::customerId))
                .toList();
        if (sorted.isEmpty()) {
            return Mono.empty();
        }
        return db.sql("""
                        select m.customer_id from member m
                        join unnest(cast(:merchants as text[]), cast(:customers as text[])) as u(merchant_id, customer_id)
                          on m.merchant_id = u.merchant_id and m.customer_id = u.customer_id
                        where m.merchant_id = any(cast(:merchantIds as text[]))
                        order by m.merchant_id, m.customer_id
                        for update of m""")
                .bind("merchants", sorted.stream().map(MemberKey::merchantId).toArray(String[]::new))
                .bind("merchantIds", MerchantId.distinct(sorted.stream().map(MemberKey::merchantId).toArray(String[]::new)))
                .bind("customers", sorted.stream().map(MemberKey::customerId).toArray(String[]::new))
                .fetch().all().then();
    }

    /** Records the purchases; returns those new, in the given order. */
    private Mono<List<Purchase>> recordPurchases(List<Purchase> purchases) {
        Map<String, Purchase> byId = new HashMap<>();
        purchases.forEach(purchase -> byId.putIfAbsent(purchase.member().merchantId() + '\u0000' + purchase.purchaseId(), purchase));
        return db.sql("""
                        insert into paid_membership_purchase (merchant_id, purchase_id, customer_id, plan_id, order_id, terms, price_minor, currency,
                                                              purchased_at)
                        select * from unnest(cast(:merchants as text[]), cast(:ids as text[]), cast(:customers as text[]), cast(:plans as text[]),
                                             cast(:orders as text[]), cast(:terms as int[]), cast(:prices as bigint[]), cast(:currencies as text[]),
                                             cast(:times as timestamptz[]))
                        on conflict do nothing
                        returning merchant_id, purchase_id""")
                .bind("merchants", purchases.stream().map(purchase -> purchase.member().merchantId()).toArray(String[]::new))
                .bind("ids", purchases.stream().map(Purchase::purchaseId).toArray(String[]::new))
                .bind("customers", purchases.stream().map(purchase -> purchase.member().customerId()).toArray(String[]::new))
                .bind("plans", purchases.stream().map(Purchase::planId).toArray(String[]::new))
                .bind("orders", purchases.stream().map(Purchase::orderId).toArray(String[]::new))
                .bind("terms", purchases.stream().map(Purchase::terms).toArray(Integer[]::new))
                .bind("prices", purchases.stream().map(purchase -> purchase.price().getAmountMinor()).toArray(Long[]::new))
                .bind("currencies", purchases.stream().map(purchase -> purchase.price().getCurrency()).toArray(String[]::new))
                .bind("times", purchases.stream().map(purchase -> utc(purchase.at())).toArray(OffsetDateTime[]::new))
                .map((row, meta) -> row.get("merchant_id", String.class) + '\u0000' + row.get("purchase_id", String.class))
                .all().collectList()
                .map(inserted -> purchases.stream().filter(purchase -> inserted.contains(purchase.member().merchantId() + '\u0000' + purchase.purchaseId()))
                        .filter(purchase -> byId.get(purchase.member().merchantId() + '\u0000' + purchase.purchaseId()) == purchase).toList());
    }

    private Mono<Map<String, Membership>> current(List<Purchase> purchases) {
        return db.sql("""
                        select p.merchant_id, p.customer_id, p.plan_id, p.started_at, p.ends_at, p.ended_at, p.end_reason from paid_membership p
                        join unnest(cast(:merchants as text[]), cast(:customers as text[]), cast(:plans as text[])) as u(merchant_id, customer_id, plan_id)
                          on p.merchant_id = u.merchant_id and p.customer_id = u.customer_id and p.plan_id = u.plan_id
                        where p.merchant_id = any(cast(:merchantIds as text[]))""")
                .bind("merchants", purchases.stream().map(purchase -> purchase.member().merchantId()).toArray(String[]::new))
                .bind("merchantIds", MerchantId.distinct(purchases.stream().map(purchase -> purchase.member().merchantId()).toArray(String[]::new)))
                .bind("customers", purchases.stream().map(purchase -> purchase.member().customerId()).toArray(String[]::new))
                .bind("plans", purchases.stream().map(Purchase::planId).toArray(String[]::new))
                .map((row, meta) -> Map.entry(key(new MemberKey(row.get("merchant_id", String.class), row.get("customer_id", String.class)),
                        row.get("plan_id", String.class)), membership(row)))
                .all().collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    private Mono<Void> save(Map<String, Membership> memberships, Map<String, MemberKey> owners) {
        List<String> keys = List.copyOf(owners.keySet());
        return db.sql("""
                        insert into paid_membership (merchant_id, customer_id, plan_id, started_at, ends_at)
                        select * from unnest(cast(:merchants as text[]), cast(:customers as text[]), cast(:plans as text[]), cast(:starts as timestamptz[]),
                                             cast(:ends as timestamptz[]))
                        on conflict (merchant_id, customer_id, plan_id) do update set started_at = excluded.started_at, ends_at = excluded.ends_at,
                            ended_at = null, end_reason = null""")
                .bind("merchants", keys.stream().map(key -> owners.get(key).merchantId()).toArray(String[]::new))
                .bind("customers", keys.stream().map(key -> owners.get(key).customerId()).toArray(String[]::new))
                .bind("plans", keys.stream().map(key -> memberships.get(key).planId()).toArray(String[]::new))
                .bind("starts", keys.stream().map(key -> utc(memberships.get(key).startedAt())).toArray(OffsetDateTime[]::new))
                .bind("ends", keys.stream().map(key -> utc(memberships.get(key).endsAt())).toArray(OffsetDateTime[]::new))
                .then();
    }

    private Mono<Void> publish(List<MemberKey> members, List<Instant> times, List<SpecificRecord> payloads) {
        if (members.isEmpty()) {
            return Mono.empty();
        }
        return sequences.next(Topics.MEMBERS.name(), members).flatMap(numbers -> {
            List<Outbound> events = new ArrayList<>();
            for (int i = 0; i < members.size(); i++) {
                events.add(MemberEvents.paidMembership(members.get(i), numbers.get(i), times.get(i), payloads.get(i)));
            }
            return outbox.append(events);
        });
    }

    private static Membership membership(io.r2dbc.spi.Readable row) {
        OffsetDateTime ended = row.get("ended_at", OffsetDateTime.class);
        return new Membership(row.get("plan_id", String.class), row.get("started_at", OffsetDateTime.class).toInstant(),
                row.get("ends_at", OffsetDateTime.class).toInstant(), ended == null ? null : ended.toInstant(), row.get("end_reason", String.class));
    }

    private static String key(MemberKey member, String planId) {
        return member.merchantId() + '\u0000' + member.customerId() + '\u0000' + planId;
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
