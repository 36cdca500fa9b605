package io.fugou.kitdemo;

import io.fugou.events.MemberKey;
import io.fugou.events.Topic;
import io.fugou.events.orders.OrderPaid;
import io.fugou.events.points.EarningSource;
import io.fugou.events.points.PointsAdjusted;
import io.fugou.events.points.PointsEarned;
import io.fugou.events.points.PointsEvent;
import io.fugou.platform.pipeline.Envelopes;
import io.fugou.platform.pipeline.Inbound;
import io.fugou.platform.pipeline.SourcePosition;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The demo's one table: an entry per order (written a batch at a time, or one at a time by the naive mode) or per operator's correction. */
@Repository
class DemoEntries {

    /** An entry as stored. */
    record Entry(MemberKey member, String orderId, long points, Instant occurredAt, SourcePosition source, long sequence) {

        static Entry of(Inbound<OrderPaid> event) {
            return new Entry(event.member(), event.payload().getOrderId(), event.payload().getTotal().getAmountMinor() / 100,
                    event.occurredAt(), event.position(), 0);
        }

        /** Unique per merchant: the order (or correction) id. */
        String key() {
            return member.merchantId() + "/" + orderId;
        }

        Entry numbered(long number) {
            return new Entry(member, orderId, points, occurredAt, source, number);
        }

        /** An operator's correction: no record created it. */
        boolean isAdjustment() {
            return source.partition() < 0;
        }

        PointsEvent event(Topic<PointsEvent> topic) {
            return PointsEvent.newBuilder()
                    .setEventId(Envelopes.eventId(topic, member.merchantId() + "/" + orderId))
                    .setOccurredAt(occurredAt)
                    .setMerchantId(member.merchantId())
                    .setCustomerId(member.customerId())
                    .setSequence(sequence)
                    .setPayload(isAdjustment()
                            ? PointsAdjusted.newBuilder().setEntryId(orderId).setPoints(points).setReason("kit-demo").setBalanceAfter(0).build()
                            : PointsEarned.newBuilder().setEntryId(orderId).setPoints(points).setSource(EarningSource.ORDER)
                                    .setOrderId(orderId).setRuleIds(List.of()).setBalanceAfter(0).build())
                    .build();
        }
    }

    private final DatabaseClient db;

    DemoEntries(DatabaseClient db) {
        this.db = db;
    }

    /** Of these entries, the keys ({@link Entry#key()}) already stored. */
    Mono<Set<String>> stored(List<Entry> entries) {
        return db.sql("""
                        select e.merchant_id, e.order_id
                        from demo_entry e
                        join unnest(cast(:merchants as text[]), cast(:orderIds as text[])) as u(merchant_id, order_id)
                          on e.order_id = u.order_id
                        where e.merchant_id = u.merchant_id""")
                .bind("merchants", entries.stream().map(e -> e.member().merchantId()).toArray(String[]::new))
                .bind("orderIds", entries.stream().map(Entry::orderId).toArray(String[]::new))
                .map((row, meta) -> row.get("merchant_id", String.class) + "/" + row.get("order_id", String.class))
                .all().collect(HashSet::new, Set::add);
    }

    /** Inserts numbered entries in one statement; emits how many were inserted (fewer if some were stored already). */
    Mono<Long> insertNumbered(List<Entry> entries) {
        if (entries.isEmpty()) {
            return Mono.just(0L);
        }
        return db.sql("""
                        insert into demo_entry (merchant_id, customer_id, order_id, points, occurred_at, source_partition, source_offset, sequence)
                        select * from unnest(cast(:merchants as text[]), cast(:customers as text[]), cast(:orderIds as text[]),
                                             cast(:points as bigint[]), cast(:occurred as timestamptz[]), cast(:partitions as int[]),
                                             cast(:offsets as bigint[]), cast(:sequences as bigint[]))
                        on conflict (merchant_id, order_id) do nothing""")
                .bind("merchants", entries.stream().map(e -> e.member().merchantId()).toArray(String[]::new))
                .bind("customers", entries.stream().map(e -> e.member().customerId()).toArray(String[]::new))
                .bind("orderIds", entries.stream().map(Entry::orderId).toArray(String[]::new))
                .bind("points", entries.stream().map(Entry::points).toArray(Long[]::new))
                .bind("occurred", entries.stream().map(e -> OffsetDateTime.ofInstant(e.occurredAt(), ZoneOffset.UTC)).toArray(OffsetDateTime[]::new))
                .bind("partitions", entries.stream().map(e -> e.source().partition()).toArray(Integer[]::new))
                .bind("offsets", entries.stream().map(e -> e.source().offset()).toArray(Long[]::new))
                .bind("sequences", entries.stream().map(Entry::sequence).toArray(Long[]::new))
                .fetch().rowsUpdated();
    }

    /** Of these entries, the ones stored by this very record (an earlier delivery whose Kafka transaction never committed). */
    Flux<Entry> storedBy(List<Entry> entries) {
        if (entries.isEmpty()) {
            return Flux.empty();
        }
        return db.sql("""
                        select e.merchant_id, e.customer_id, e.order_id, e.points, e.occurred_at, e.source_partition, e.source_offset,
                               e.sequence
                        from demo_entry e
                        join unnest(cast(:merchants as text[]), cast(:orderIds as text[]), cast(:partitions as int[]), cast(:offsets as bigint[]))
                             as u(merchant_id, order_id, source_partition, source_offset)
                          on e.order_id = u.order_id
                        where e.merchant_id = u.merchant_id and e.source_partition = u.source_partition and e.source_offset = u.source_offset""")
                .bind("merchants", entries.stream().map(e -> e.member().merchantId()).toArray(String[]::new))
                .bind("orderIds", entries.stream().map(Entry::orderId).toArray(String[]::new))
                .bind("partitions", entries.stream().map(e -> e.source().partition()).toArray(Integer[]::new))
                .bind("offsets", entries.stream().map(e -> e.source().offset()).toArray(Long[]::new))
                .map((row, meta) -> new Entry(new MemberKey(row.get("merchant_id", String.class), row.get("customer_id", String.class)),
                        row.get("order_id", String.class), row.get("points", Long.class), row.get("occurred_at", OffsetDateTime.class).toInstant(),
                        new SourcePosition(entries.get(0).source().topic(), row.get("source_partition", Integer.class),
                                row.get("source_offset", Long.class)), row.get("sequence", Long.class)))
                .all();
    }

    /** The naive way: one row in its own transaction; true when it was new. */
    Mono<Boolean> insertOne(Entry entry) {
        return db.sql("""
                        insert into demo_entry (merchant_id, customer_id, order_id, points, occurred_at, source_partition, source_offset)
                        values (:merchant, :customer, :orderId, :points, :occurred, :partition, :offset)
                        on conflict (merchant_id, order_id) do nothing""")
                .bind("merchant", entry.member().merchantId())
                .bind("customer", entry.member().customerId())
                .bind("orderId", entry.orderId())
                .bind("points", entry.points())
                .bind("occurred", OffsetDateTime.ofInstant(entry.occurredAt(), ZoneOffset.UTC))
                .bind("partition", entry.source().partition())
                .bind("offset", entry.source().offset())
                .fetch().rowsUpdated()
                .map(rows -> rows > 0);
    }
}
