package io.fugou.loyalty.entitlements;

import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.events.points.EntitlementDrawn;
import io.fugou.events.points.EntitlementGranted;
import io.fugou.events.points.PointsEvent;
import io.fugou.loyalty.points.PointsLedger;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.pipeline.Envelopes;
import io.fugou.platform.pipeline.Outbound;
import io.fugou.platform.pipeline.Outbox;
import io.fugou.platform.web.InvalidFieldException;
import io.r2dbc.spi.Readable;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

/**
 * Prepaid entitlements (the 101 bottles bought at once): granted when an order buys a bundle SKU, drawn
 * down by later order lines of the covered SKU the buyer pays nothing for (oldest lapsing first), or by
 * the shop over the API; never below zero. Each grant and draw is an event on {@code fugou.points.v1}
 * ({@code EntitlementGranted}, {@code EntitlementDrawn}), numbered in the member's sequence and sent
 * through the outbox in the transaction that made it.
 */
@Service
public class Entitlements {

    public record Entitlement(MemberKey member, String entitlementId, String sku, int units, int remaining, String orderId,
                              Instant grantedAt, Instant expiresAt) {
    }

    /** A grant to make: {@code units} of {@code sku} for the member, bought by the order. */
    public record Grant(MemberKey member, String entitlementId, String sku, int units, String orderId, Instant at, Instant expiresAt) {
    }

    /** Units of {@code sku} the member took without paying, on an order line: drawn from their entitlements if they have some. */
    public record Use(MemberKey member, String drawId, String sku, int units, String orderId, Instant at) {
    }

    private record Draw(Entitlement from, String drawId, int units, String orderId, Instant at) {
    }

    private final DatabaseClient db;
    private final PointsLedger ledger;
    private final Outbox outbox;
    private final TransactionalOperator transactional;
    private final Clock clock;

    public Entitlements(DatabaseClient db, PointsLedger ledger, Outbox outbox, ReactiveTransactionManager transactions,
                        Clock clock) {
        this.db = db;
        this.ledger = ledger;
        this.outbox = outbox;
        this.transactional = TransactionalOperator.create(transactions);
        this.clock = clock;
    }

    /**
     * Grants, then draws, in the caller's transaction (a batch of orders): grants first, so an order can buy a bundle and use it.
     * The caller locks the members' balance rows first.
     */
    public Mono<Void> apply(List<Grant> grants, List<Use> uses) {
        if (grants.isEmpty() && uses.isEmpty()) {
            return Mono.empty();
        }
        List<MemberKey> users = uses.stream().map(Use::member).distinct().toList();
        // The caller (a batch of orders) has locked these members' balance rows already, before their entitlements, as a draw
        // over HTTP takes them (PaidOrderHandler.lockBalancesOfEntitlements).
        return open(users).flatMap(open -> {
            List<Entitlement> granted = new ArrayList<>();
            for (Grant grant : grants) {
                Entitlement entitlement = new Entitlement(grant.member(), grant.entitlementId(), grant.sku(), grant.units(), grant.units(),
                        grant.orderId(), grant.at(), grant.expiresAt());
                granted.add(entitlement);
                if (open.containsKey(grant.member())) {
                    open.get(grant.member()).add(entitlement);
                }
            }
            Map<String, Entitlement> latest = new LinkedHashMap<>();
            List<Draw> draws = new ArrayList<>();
            for (Use use : uses) {
                int wanted = use.units();
                List<Entitlement> mine = open.get(use.member());
                mine.sort(LAPSING_FIRST);
                for (int i = 0; i < mine.size() && wanted > 0; i++) {
                    Entitlement e = mine.get(i);
                    if (!e.sku().equals(use.sku()) || e.remaining() == 0 || (e.expiresAt() != null && !e.expiresAt().isAfter(use.at()))) {
                        continue;
                    }
                    int taken = Math.min(wanted, e.remaining());
                    Entitlement after = new Entitlement(e.member(), e.entitlementId(), e.sku(), e.units(), e.remaining() - taken, e.orderId(),
                            e.grantedAt(), e.expiresAt());
                    mine.set(i, after);
                    latest.put(after.entitlementId(), after);
                    draws.add(new Draw(after, use.drawId() + ":" + after.entitlementId(), taken, use.orderId(), use.at()));
                    wanted -= taken;
                }
            }
            // Rows granted and drawn in the same batch are inserted with what is left of them.
            List<Entitlement> inserted = granted.stream().map(g -> latest.getOrDefault(g.entitlementId(), g)).toList();
            granted.forEach(g -> latest.remove(g.entitlementId()));
            return insert(inserted).then(updateRemaining(new ArrayList<>(latest.values()))).then(insertDraws(draws))
                    .then(publish(granted, draws));
        });
    }

    /** A draw by the shop (a bottle handed over at the counter): {@code units} from one entitlement, once per {@code drawId}. */
    public Mono<Entitlement> draw(MerchantId merchant, String customerId, String entitlementId, String drawId, Integer units, String orderId) {
        if (drawId == null || drawId.isBlank() || drawId.length() > 200) {
            throw new InvalidFieldException("drawId", "must be the shop's id of this draw (1 to 200 characters), so it is applied once");
        }
        if (units == null || units < 1) {
            throw new InvalidFieldException("units", "must be at least 1");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        // The member's balance row first (its events are numbered there), then the entitlement: the order a batch of orders
        // drawing from the same entitlements takes them in, so the two cannot deadlock.
        return ledger.lock(List.of(new MemberKey(merchant.value(), customerId)))
                .then(db.sql("select * from entitlement where merchant_id = :merchant and entitlement_id = :id and customer_id = :customer for update")
                        .bind("merchant", merchant.value()).bind("id", entitlementId).bind("customer", customerId)
                        .map((row, meta) -> entitlement(row)).one())
                .switchIfEmpty(Mono.error(() -> new ResponseStatusException(HttpStatus.NOT_FOUND,
                        "No entitlement " + entitlementId + " of " + customerId + " for this merchant.")))
                // A draw sent again is told so before anything else, even once its units are gone or it has lapsed since: after a
                // lost answer (or a 503) the shop must not take a draw that was applied for one refused.
                .flatMap(e -> applied(merchant, drawId).flatMap(applied -> applied
                        ? Mono.<Entitlement>error(new ResponseStatusException(HttpStatus.CONFLICT, "Draw " + drawId + " was applied already."))
                        : Mono.just(e)))
                .flatMap(e -> {
                    if (e.expiresAt() != null && !e.expiresAt().isAfter(now)) {
                        return Mono.error(new ResponseStatusException(HttpStatus.CONFLICT, "Entitlement " + entitlementId + " lapsed at " + e.expiresAt() + "."));
                    }
                    if (e.remaining() < units) {
                        return Mono.error(new ResponseStatusException(HttpStatus.CONFLICT, "Entitlement " + entitlementId + " has " + e.remaining()
                                + " units left, not " + units + "."));
                    }
                    Entitlement after = new Entitlement(e.member(), e.entitlementId(), e.sku(), e.units(), e.remaining() - units, e.orderId(),
                            e.grantedAt(), e.expiresAt());
                    Draw draw = new Draw(after, drawId, units, orderId, now);
                    return insertDraws(List.of(draw)).flatMap(inserted -> inserted == 0
                            ? Mono.<Entitlement>error(new ResponseStatusException(HttpStatus.CONFLICT, "Draw " + drawId + " was applied already."))
                            : updateRemaining(List.of(after)).then(publish(List.of(), List.of(draw))).thenReturn(after));
                })
                .as(transactional::transactional);
    }

    private Mono<Boolean> applied(MerchantId merchant, String drawId) {
        return db.sql("select exists (select 1 from entitlement_draw where merchant_id = :merchant and draw_id = :drawId) as applied")
                .bind("merchant", merchant.value()).bind("drawId", drawId)
                .map((row, meta) -> row.get("applied", Boolean.class)).one();
    }

    /** A member's entitlements, those with units left first. */
    public Mono<List<Entitlement>> of(MerchantId merchant, String customerId) {
        return db.sql("""
                        select * from entitlement where merchant_id = :merchant and customer_id = :customer
                        order by remaining = 0, expires_at nulls last, granted_at""")
                .bind("merchant", merchant.value()).bind("customer", customerId)
                .map((row, meta) -> entitlement(row)).all().collectList();
    }

    private static final Comparator<Entitlement> LAPSING_FIRST = Comparator.comparing(Entitlement::expiresAt,
            Comparator.nullsLast(Comparator.naturalOrder())).thenComparing(Entitlement::grantedAt).thenComparing(Entitlement::entitlementId);

    private Mono<Map<MemberKey, List<Entitlement>>> open(List<MemberKey> members) {
        if (members.isEmpty()) {
            return Mono.just(new HashMap<>());
        }
        return db.sql("""
                        select e.* from entitlement e, unnest(cast(:merchants as text[]), cast(:customers as text[])) as u(merchant_id, customer_id)
                        where e.merchant_id = u.merchant_id and e.customer_id = u.customer_id and e.remaining > 0
                        order by e.merchant_id, e.entitlement_id
                        for update of e""")
                .bind("merchants", members.stream().map(MemberKey::merchantId).toArray(String[]::new))
                .bind("customers", members.stream().map(MemberKey::customerId).toArray(String[]::new))
                .map((row, meta) -> entitlement(row)).all().collectList()
                .map(rows -> {
                    Map<MemberKey, List<Entitlement>> byMember = new HashMap<>();
                    members.forEach(member -> byMember.put(member, new ArrayList<>()));
                    rows.forEach(row -> byMember.get(row.member()).add(row));
                    return byMember;
                });
    }

    private Mono<Void> insert(List<Entitlement> entitlements) {
        if (entitlements.isEmpty()) {
            return Mono.empty();
        }
        return db.sql("""
                        insert into entitlement (merchant_id, entitlement_id, customer_id, sku, units, remaining, order_id, granted_at, expires_at)
                        select * from unnest(cast(:merchants as text[]), cast(:ids as text[]), cast(:customers as text[]), cast(:skus as text[]),
                                             cast(:units as int[]), cast(:remaining as int[]), cast(:orders as text[]),
                                             cast(:granted as timestamptz[]), cast(:expires as timestamptz[]))""")
                .bind("merchants", entitlements.stream().map(e -> e.member().merchantId()).toArray(String[]::new))
                .bind("ids", entitlements.stream().map(Entitlement::entitlementId).toArray(String[]::new))
                .bind("customers", entitlements.stream().map(e -> e.member().customerId()).toArray(String[]::new))
                .bind("skus", entitlements.stream().map(Entitlement::sku).toArray(String[]::new))
                .bind("units", entitlements.stream().map(Entitlement::units).toArray(Integer[]::new))
                .bind("remaining", entitlements.stream().map(Entitlement::remaining).toArray(Integer[]::new))
                .bind("orders", entitlements.stream().map(Entitlement::orderId).toArray(String[]::new))
                .bind("granted", entitlements.stream().map(e -> utc(e.grantedAt())).toArray(OffsetDateTime[]::new))
                .bind("expires", entitlements.stream().map(e -> utc(e.expiresAt())).toArray(OffsetDateTime[]::new))
                .then();
    }

    private Mono<Void> updateRemaining(List<Entitlement> entitlements) {
        if (entitlements.isEmpty()) {
            return Mono.empty();
        }
        return db.sql("""
                        update entitlement e set remaining = u.remaining
                        from unnest(cast(:merchants as text[]), cast(:ids as text[]), cast(:remaining as int[])) as u(merchant_id, entitlement_id, remaining)
                        where e.merchant_id = u.merchant_id and e.entitlement_id = u.entitlement_id""")
                .bind("merchants", entitlements.stream().map(e -> e.member().merchantId()).toArray(String[]::new))
                .bind("ids", entitlements.stream().map(Entitlement::entitlementId).toArray(String[]::new))
                .bind("remaining", entitlements.stream().map(Entitlement::remaining).toArray(Integer[]::new))
                .then();
    }

    private Mono<Long> insertDraws(List<Draw> draws) {
        if (draws.isEmpty()) {
            return Mono.just(0L);
        }
        return db.sql("""
                        insert into entitlement_draw (merchant_id, draw_id, entitlement_id, customer_id, units, order_id, drawn_at)
                        select * from unnest(cast(:merchants as text[]), cast(:ids as text[]), cast(:entitlements as text[]),
                                             cast(:customers as text[]), cast(:units as int[]), cast(:orders as text[]), cast(:at as timestamptz[]))
                        on conflict do nothing""")
                .bind("merchants", draws.stream().map(d -> d.from().member().merchantId()).toArray(String[]::new))
                .bind("ids", draws.stream().map(Draw::drawId).toArray(String[]::new))
                .bind("entitlements", draws.stream().map(d -> d.from().entitlementId()).toArray(String[]::new))
                .bind("customers", draws.stream().map(d -> d.from().member().customerId()).toArray(String[]::new))
                .bind("units", draws.stream().map(Draw::units).toArray(Integer[]::new))
                .bind("orders", draws.stream().map(Draw::orderId).toArray(String[]::new))
                .bind("at", draws.stream().map(d -> utc(d.at())).toArray(OffsetDateTime[]::new))
                .fetch().rowsUpdated();
    }

    /** The grants' and draws' events, numbered in their members' sequences, into the outbox. */
    private Mono<Void> publish(List<Entitlement> granted, List<Draw> draws) {
        List<MemberKey> members = new ArrayList<>();
        granted.forEach(g -> members.add(g.member()));
        draws.forEach(d -> members.add(d.from().member()));
        if (members.isEmpty()) {
            return Mono.empty();
        }
        return ledger.number(members).flatMap(numbers -> {
            List<Outbound> events = new ArrayList<>();
            int n = 0;
            for (Entitlement g : granted) {
                events.add(event(g.member(), "entitlement:" + g.entitlementId(), g.grantedAt(), numbers.get(n++), EntitlementGranted.newBuilder()
                        .setEntitlementId(g.entitlementId()).setSku(g.sku()).setUnits(g.units()).setOrderId(g.orderId())
                        .setExpiresAt(g.expiresAt()).build()));
            }
            for (Draw d : draws) {
                events.add(event(d.from().member(), "draw:" + d.drawId(), d.at(), numbers.get(n++), EntitlementDrawn.newBuilder()
                        .setEntitlementId(d.from().entitlementId()).setUnits(d.units()).setRemainingUnits(d.from().remaining())
                        .setOrderId(d.orderId() == null ? "" : d.orderId()).build()));
            }
            return outbox.append(events);
        });
    }

    private static Outbound event(MemberKey member, String fact, Instant at, long sequence, Object payload) {
        return Outbound.of(Topics.POINTS, PointsEvent.newBuilder()
                .setEventId(Envelopes.eventId(Topics.POINTS, member.merchantId() + "/" + fact))
                .setOccurredAt(at)
                .setMerchantId(member.merchantId())
                .setCustomerId(member.customerId())
                .setSequence(sequence)
                .setPayload(payload)
                .build());
    }

    private static Entitlement entitlement(Readable row) {
        OffsetDateTime expires = row.get("expires_at", OffsetDateTime.class);
        return new Entitlement(new MemberKey(row.get("merchant_id", String.class), row.get("customer_id", String.class)),
                row.get("entitlement_id", String.class), row.get("sku", String.class), row.get("units", Integer.class),
                row.get("remaining", Integer.class), row.get("order_id", String.class), row.get("granted_at", OffsetDateTime.class).toInstant(),
                expires == null ? null : expires.toInstant());
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
