package io.fugou.loyalty.orders;

import io.fugou.events.MemberKey;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.pipeline.SourcePosition;
import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;

/** Paid orders per merchant and what they earned. Every read takes the merchant, so no query can cross tenants. */
@Repository
public class PaidOrders {

    /** An order of a merchant. */
    public record OrderKey(String merchantId, String orderId) {
    }

    private static final TypeReference<List<EarnedLine>> LINES = new TypeReference<>() {
    };

    private final DatabaseClient db;
    private final JsonMapper json;
    /** Bound to the lines' type once: every order of a batch is written with it, without looking up its serializer each time. */
    private final ObjectWriter linesWriter;

    public PaidOrders(DatabaseClient db, JsonMapper json) {
        this.db = db;
        this.json = json;
        this.linesWriter = json.writerFor(LINES);
    }

    /** Which of these orders are known, and the record that first recorded each (null for one recorded otherwise). */
    public Mono<Map<OrderKey, SourcePosition>> known(List<OrderKey> orders, String topic) {
        return db.sql("""
                        select o.merchant_id, o.order_id, o.source_partition, o.source_offset
                        from unnest(cast(:merchants as text[]), cast(:orderIds as text[])) as u(merchant_id, order_id)
                        -- One lookup by key per order; the limit keeps the planner from making it a join, which it plans, while the
                        -- table's statistics lag its growth (a fresh table fills faster than autovacuum analyses it), as a scan of
                        -- every order held.
                        cross join lateral (select * from paid_order p where p.merchant_id = u.merchant_id and p.order_id = u.order_id limit 1) o""")
                .bind("merchants", orders.stream().map(OrderKey::merchantId).toArray(String[]::new))
                .bind("orderIds", orders.stream().map(OrderKey::orderId).toArray(String[]::new))
                .map((row, meta) -> {
                    Integer partition = row.get("source_partition", Integer.class);
                    return Map.entry(new OrderKey(row.get("merchant_id", String.class), row.get("order_id", String.class)),
                            partition == null ? new SourcePosition("", -1, -1)
                                    : new SourcePosition(topic, partition, row.get("source_offset", Long.class)));
                })
                .all()
                .collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    /**
     * Records new orders in one statement; returns how many were inserted (all of them). The orders were read as unknown
     * first, so the insert does not ask the unique key on each row whether it is taken ({@code on conflict},
     * 15-20% of the statement's time, measured): an order another writer recorded meanwhile (a consumer that
     * lost the partition and has not noticed yet, or the shop's duplicate on another partition) fails the batch
     * on the key instead, and the batch is applied again, one order at a time, where it is known.
     */
    public Mono<Long> insert(List<PaidOrder> orders, List<SourcePosition> sources) {
        if (orders.isEmpty()) {
            return Mono.just(0L);
        }
        return db.sql("""
                        insert into paid_order (merchant_id, order_id, customer_id, event_id, total_minor, currency, line_count, paid_at,
                                                rules_version, points, reversed_points, available_at, released, lines,
                                                source_partition, source_offset)
                        select merchant_id, order_id, customer_id, event_id, total_minor, currency, line_count, paid_at, rules_version,
                               points, 0, available_at, available_at is null, cast(lines as json), source_partition, source_offset
                        from unnest(cast(:merchants as text[]), cast(:orderIds as text[]), cast(:customers as text[]),
                                    cast(:eventIds as text[]), cast(:totals as bigint[]), cast(:currencies as text[]),
                                    cast(:lineCounts as int[]), cast(:paidAt as timestamptz[]), cast(:versions as int[]),
                                    cast(:points as bigint[]), cast(:availableAt as timestamptz[]), cast(:lines as text[]),
                                    cast(:partitions as int[]), cast(:offsets as bigint[]))
                             as u(merchant_id, order_id, customer_id, event_id, total_minor, currency, line_count, paid_at, rules_version,
                                  points, available_at, lines, source_partition, source_offset)""")
                .bind("merchants", orders.stream().map(PaidOrder::merchantId).toArray(String[]::new))
                .bind("orderIds", orders.stream().map(PaidOrder::orderId).toArray(String[]::new))
                .bind("customers", orders.stream().map(PaidOrder::customerId).toArray(String[]::new))
                .bind("eventIds", orders.stream().map(PaidOrder::eventId).toArray(String[]::new))
                .bind("totals", orders.stream().map(PaidOrder::totalMinor).toArray(Long[]::new))
                .bind("currencies", orders.stream().map(PaidOrder::currency).toArray(String[]::new))
                .bind("lineCounts", orders.stream().map(PaidOrder::lineCount).toArray(Integer[]::new))
                .bind("paidAt", orders.stream().map(PaidOrder::paidAt).toArray(Instant[]::new))
                .bind("versions", orders.stream().map(PaidOrder::rulesVersion).toArray(Integer[]::new))
                .bind("points", orders.stream().map(PaidOrder::points).toArray(Long[]::new))
                .bind("availableAt", orders.stream().map(PaidOrder::availableAt).toArray(Instant[]::new))
                .bind("lines", orders.stream().map(order -> linesWriter.writeValueAsString(order.lines())).toArray(String[]::new))
                .bind("partitions", sources.stream().map(SourcePosition::partition).toArray(Integer[]::new))
                .bind("offsets", sources.stream().map(SourcePosition::offset).toArray(Long[]::new))
                .fetch().rowsUpdated()
                .onErrorMap(DuplicateKeyException.class, taken -> new IllegalStateException(
                        "another writer recorded some of these orders meanwhile; the batch is applied again, one order at a time", taken));
    }

    /**
     * The points of these orders, locked until the transaction ends (in one order, so two writers cannot
     * deadlock): the release job and the refunds of one order take turns.
     */
    public Mono<Map<OrderKey, OrderPoints>> lockPoints(List<OrderKey> orders) {
        if (orders.isEmpty()) {
            return Mono.just(Map.of());
        }
        return db.sql("""
                        select o.merchant_id, o.order_id, o.customer_id, o.currency, o.points, o.reversed_points, o.released,
                               o.available_at, cast(o.lines as text) as lines
                        from paid_order o
                        where (o.merchant_id, o.order_id) in (select * from unnest(cast(:merchants as text[]), cast(:orderIds as text[])))
                        order by o.merchant_id, o.order_id
                        for update""")
                .bind("merchants", orders.stream().map(OrderKey::merchantId).toArray(String[]::new))
                .bind("orderIds", orders.stream().map(OrderKey::orderId).toArray(String[]::new))
                .map((row, meta) -> points(row))
                .all()
                .collectMap(order -> new OrderKey(order.member().merchantId(), order.orderId()), order -> order, HashMap::new);
    }

    /** Stores what refunds took back. */
    public Mono<Void> storeReversals(List<OrderPoints> orders) {
        if (orders.isEmpty()) {
            return Mono.empty();
        }
        return db.sql("""
                        update paid_order o set lines = cast(u.lines as json), reversed_points = u.reversed
                        from unnest(cast(:merchants as text[]), cast(:orderIds as text[]), cast(:lines as text[]), cast(:reversed as bigint[]))
                             as u(merchant_id, order_id, lines, reversed)
                        where o.merchant_id = u.merchant_id and o.order_id = u.order_id""")
                .bind("merchants", orders.stream().map(order -> order.member().merchantId()).toArray(String[]::new))
                .bind("orderIds", orders.stream().map(OrderPoints::orderId).toArray(String[]::new))
                .bind("lines", orders.stream().map(order -> linesWriter.writeValueAsString(order.lines())).toArray(String[]::new))
                .bind("reversed", orders.stream().map(OrderPoints::reversedPoints).toArray(Long[]::new))
                .then();
    }

    /**
     * A confirmed receipt of an order, and the end of the return window counted from it. {@code replaces}: the
     * window counts from receipt, so the first receipt replaces the provisional end set at payment.
     */
    public record Receipt(OrderKey order, Instant receivedAt, Instant windowCloses, boolean replaces) {
    }

    /**
     * Moves the end of the return window of pending orders to what their receipts say: replaced at the first
     * receipt where the window counts from receipt, otherwise only ever later.
     */
    public Mono<Void> received(List<Receipt> receipts) {
        if (receipts.isEmpty()) {
            return Mono.empty();
        }
        return db.sql("""
                        update paid_order o
                           set available_at = case when o.receipt_confirmed_at is null and u.replaces then u.available_at
                                                   else greatest(o.available_at, u.available_at) end,
                               receipt_confirmed_at = least(o.receipt_confirmed_at, u.received_at)
                        from unnest(cast(:merchants as text[]), cast(:orderIds as text[]), cast(:availableAt as timestamptz[]),
                                    cast(:receivedAt as timestamptz[]), cast(:replaces as boolean[]))
                             as u(merchant_id, order_id, available_at, received_at, replaces)
                        where o.merchant_id = u.merchant_id and o.order_id = u.order_id and not o.released""")
                .bind("merchants", receipts.stream().map(r -> r.order().merchantId()).toArray(String[]::new))
                .bind("orderIds", receipts.stream().map(r -> r.order().orderId()).toArray(String[]::new))
                .bind("availableAt", receipts.stream().map(r -> utc(r.windowCloses())).toArray(OffsetDateTime[]::new))
                .bind("receivedAt", receipts.stream().map(r -> utc(r.receivedAt())).toArray(OffsetDateTime[]::new))
                .bind("replaces", receipts.stream().map(Receipt::replaces).toArray(Boolean[]::new))
                .then();
    }

    /** A merchant's orders whose points are due to become available, oldest due first, locked; others' locks are skipped. */
    public Flux<OrderPoints> dueForRelease(MerchantId merchant, Instant now, int limit) {
        return db.sql("""
                        select o.merchant_id, o.order_id, o.customer_id, o.currency, o.points, o.reversed_points, o.released,
                               o.available_at, cast(o.lines as text) as lines
                        from paid_order o
                        where o.merchant_id = :merchant and not o.released and o.available_at <= :now
                        order by o.order_id limit :limit
                        for update skip locked""")
                .bind("merchant", merchant.value())
                .bind("now", utc(now))
                .bind("limit", limit)
                .map((row, meta) -> points(row))
                .all();
    }

    public Mono<Void> markReleased(MerchantId merchant, List<String> orderIds) {
        return db.sql("update paid_order set released = true where merchant_id = :merchant and order_id = any(cast(:orderIds as text[]))")
                .bind("merchant", merchant.value())
                .bind("orderIds", orderIds.toArray(String[]::new))
                .then();
    }

    /** Merchants with points still pending: the release job visits them. */
    public Flux<String> merchantsWithPendingPoints() {
        return db.sql("""
                        -- across merchants: which merchants the daily release job has work for
                        select distinct merchant_id from paid_order where not released""")
                .map((row, meta) -> row.get(0, String.class)).all();
    }

    public Mono<PaidOrder> find(MerchantId merchant, String orderId) {
        return db.sql("""
                        select merchant_id, order_id, customer_id, event_id, total_minor, currency, paid_at, rules_version, points,
                               reversed_points, available_at, released, cast(lines as text) as lines
                        from paid_order where merchant_id = :merchantId and order_id = :orderId""")
                .bind("merchantId", merchant.value())
                .bind("orderId", orderId)
                .map((row, meta) -> {
                    OffsetDateTime availableAt = row.get("available_at", OffsetDateTime.class);
                    Integer version = row.get("rules_version", Integer.class);
                    return new PaidOrder(row.get("merchant_id", String.class), row.get("order_id", String.class),
                            row.get("customer_id", String.class), row.get("event_id", String.class), row.get("total_minor", Long.class),
                            row.get("currency", String.class), row.get("paid_at", OffsetDateTime.class).toInstant(),
                            version == null ? 0 : version, row.get("points", Long.class), row.get("reversed_points", Long.class),
                            availableAt == null ? null : availableAt.toInstant(), Boolean.TRUE.equals(row.get("released", Boolean.class)),
                            lines(row.get("lines", String.class)));
                })
                .one();
    }

    private OrderPoints points(Readable row) {
        OffsetDateTime availableAt = row.get("available_at", OffsetDateTime.class);
        return new OrderPoints(new MemberKey(row.get("merchant_id", String.class), row.get("customer_id", String.class)),
                row.get("order_id", String.class), row.get("currency", String.class).trim(), row.get("points", Long.class),
                row.get("reversed_points", Long.class), Boolean.TRUE.equals(row.get("released", Boolean.class)),
                availableAt == null ? null : availableAt.toInstant(), lines(row.get("lines", String.class)));
    }

    private List<EarnedLine> lines(String stored) {
        return stored == null ? List.of() : json.readValue(stored, LINES);
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
