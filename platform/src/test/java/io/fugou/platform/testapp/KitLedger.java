package io.fugou.platform.testapp;

import io.fugou.events.MemberKey;
import io.fugou.events.Topic;
import io.fugou.events.orders.OrderCancelled;
import io.fugou.events.orders.OrderEvent;
import io.fugou.events.orders.OrderFulfilled;
import io.fugou.events.orders.OrderPaid;
import io.fugou.events.orders.OrderRefunded;
import io.fugou.events.points.EarningSource;
import io.fugou.events.points.PointsAdjusted;
import io.fugou.events.points.PointsEarned;
import io.fugou.events.points.PointsEvent;
import io.fugou.events.points.PointsReversed;
import io.fugou.platform.kafka.InvalidEventException;
import io.fugou.platform.pipeline.BatchObserver;
import io.fugou.platform.pipeline.Envelopes;
import io.fugou.platform.pipeline.EventHandler;
import io.fugou.platform.pipeline.EventPipeline;
import io.fugou.platform.pipeline.Inbound;
import io.fugou.platform.pipeline.MemberSequences;
import io.fugou.platform.pipeline.Outbound;
import io.fugou.platform.pipeline.Outbox;
import io.fugou.platform.pipeline.SourcePosition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;

/**
 * A pipeline as a service writes one, on topics of its own: paid orders earn points (one ledger row
 * and one event each), cancelled orders take them back; every event numbered per member. Tests make
 * it fail: a total above 10,000,000 minor units breaks the ledger's check constraint in the database;
 * a negative total breaks the handler's check; {@link #crashBeforeKafkaCommit} fails a batch after
 * its database commit, once.
 */
@Configuration
@ConditionalOnProperty("spring.r2dbc.url")
public class KitLedger {

    public static final Topic<OrderEvent> ORDERS =
            new Topic<>("platform-test.orders.v1", OrderEvent.class, OrderEvent.getClassSchema(), Map.of(), Map.of(), false);
    public static final Topic<PointsEvent> POINTS =
            new Topic<>("platform-test.points.v1", PointsEvent.class, PointsEvent.getClassSchema(), Map.of(), Map.of(), false);
    public static final String GROUP = "platform-test-kit";

    /** Batches that contain one of these positions fail once, after their database commit. */
    private final Set<SourcePosition> crashAt = ConcurrentHashMap.newKeySet();
    private final List<SourcePosition> crashed = new java.util.concurrent.CopyOnWriteArrayList<>();

    public void crashBeforeKafkaCommit(SourcePosition position) {
        crashAt.add(position);
    }

    public List<SourcePosition> crashed() {
        return List.copyOf(crashed);
    }

    /** Every batch the pipeline committed to the database, by the positions it held. */
    private final List<List<SourcePosition>> batches = new java.util.concurrent.CopyOnWriteArrayList<>();

    public List<List<SourcePosition>> batches() {
        return List.copyOf(batches);
    }

    /** Outbox transactions (the relay's own, or a batch's) that contain one of these ids fail once, before the Kafka commit. */
    private final Set<Long> crashRelayAt = ConcurrentHashMap.newKeySet();
    private final List<Long> relayCrashed = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Run once when the batch holding the position crashes, after its database commit: another writer's change at that moment. */
    private final Map<SourcePosition, Runnable> atCrash = new ConcurrentHashMap<>();

    public void crashRelayBeforeKafkaCommit(long outboxId) {
        crashRelayAt.add(outboxId);
    }

    public List<Long> relayCrashed() {
        return List.copyOf(relayCrashed);
    }

    public void crashBeforeKafkaCommit(SourcePosition position, Runnable atCrash) {
        this.atCrash.put(position, atCrash);
        crashBeforeKafkaCommit(position);
    }

    @Autowired
    private ObjectProvider<Outbox> outbox;
    @Autowired
    private ObjectProvider<ReactiveTransactionManager> transactions;
    @Autowired
    private ObjectProvider<MemberSequences> memberSequences;
    @Autowired
    private ObjectProvider<DatabaseClient> database;

    /**
     * An operator's correction, as an HTTP handler writes it: the ledger row, its sequence number and its
     * event in the outbox, in one transaction, which commits only when {@code commit} completes.
     */
    public Mono<Void> adjust(MemberKey member, String entryId, long points, Mono<?> commit) {
        DatabaseClient db = database.getObject();
        Mono<Void> work = memberSequences.getObject().next(POINTS.name(), List.of(member)).flatMap(numbers -> {
            long sequence = numbers.get(0);
            java.time.Instant now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
            PointsEvent event = PointsEvent.newBuilder()
                    .setEventId(Envelopes.eventId(POINTS, member.merchantId() + "/" + entryId))
                    .setOccurredAt(now)
                    .setMerchantId(member.merchantId())
                    .setCustomerId(member.customerId())
                    .setSequence(sequence)
                    .setPayload(PointsAdjusted.newBuilder().setEntryId(entryId).setPoints(points).setReason("test").setBalanceAfter(0).build())
                    .build();
            return db.sql("""
                            insert into kit_entry (merchant_id, customer_id, entry_id, order_id, points, sequence, occurred_at,
                                                   source_partition, source_offset)
                            values (:merchant, :customer, :entry, :entry, :points, :sequence, :occurred, -1, -1)""")
                    .bind("merchant", member.merchantId()).bind("customer", member.customerId()).bind("entry", entryId)
                    .bind("points", points).bind("sequence", sequence).bind("occurred", now.atOffset(java.time.ZoneOffset.UTC))
                    .then()
                    .then(outbox.getObject().append(List.of(Outbound.of(POINTS, event))))
                    .then(commit.then());
        });
        return TransactionalOperator.create(transactions.getObject()).transactional(work);
    }

    @Bean
    BatchObserver crashSwitch() {
        return new BatchObserver() {
            @Override
            public void beforeRelayCommit(String pipeline, List<Long> outboxIds) {
                for (Long id : outboxIds) {
                    if (crashRelayAt.remove(id)) {
                        relayCrashed.add(id);
                        throw new IllegalStateException("simulated crash after the outbox rows were sent, before the Kafka commit");
                    }
                }
            }

            @Override
            public void beforeKafkaCommit(String pipeline, List<SourcePosition> positions) {
                batches.add(positions);
                for (SourcePosition position : positions) {
                    if (crashAt.remove(position)) {
                        crashed.add(position);
                        Runnable writer = atCrash.remove(position);
                        if (writer != null) {
                            writer.run();
                        }
                        throw new IllegalStateException("simulated crash after the database commit, before the Kafka commit");
                    }
                }
            }
        };
    }

    @Bean
    EventPipeline<OrderEvent> kitOrders(DatabaseClient db, MemberSequences sequences) {
        db.sql("""
                create table if not exists kit_entry (
                    merchant_id      text   not null,
                    customer_id      text   not null,
                    entry_id         text   not null,
                    order_id         text   not null,
                    points           bigint not null check (points <= 100000),
                    sequence         bigint,
                    occurred_at      timestamptz not null,
                    source_partition int    not null,
                    source_offset    bigint not null,
                    primary key (merchant_id, entry_id))""").then().block();
        Ledger ledger = new Ledger(db, sequences);
        return EventPipeline.consume("kit-orders", ORDERS)
                .group(GROUP)
                .handle(OrderPaid.class, ledger.entries(paid -> new Entry(paid.getOrderId(), paid.getOrderId(), paid.getTotal().getAmountMinor() / 100)))
                .handle(OrderCancelled.class, ledger.entries(cancelled -> new Entry("cancel-" + cancelled.getOrderId(), cancelled.getOrderId(), 0)))
                .skip(OrderRefunded.class, "not needed to test the kit")
                .skip(OrderFulfilled.class, "not needed to test the kit")
                .publishesTo(POINTS)
                .relaysOutbox()
                .build();
    }

    /** One ledger row per event: positive points earned, zero for a cancellation (reversal). */
    record Entry(String entryId, String orderId, long points) {
    }

    static final class Ledger {
        private final DatabaseClient db;
        private final MemberSequences sequences;

        Ledger(DatabaseClient db, MemberSequences sequences) {
            this.db = db;
            this.sequences = sequences;
        }

        <P extends SpecificRecord> EventHandler<P> entries(Function<P, Entry> entryOf) {
            return new EventHandler<>() {
                @Override
                public void check(Inbound<P> event) {
                    if (event.payload() instanceof OrderPaid paid && paid.getTotal().getAmountMinor() < 0) {
                        throw new InvalidEventException("order " + paid.getOrderId() + " has a negative total", null);
                    }
                }

                @Override
                public Mono<List<Outbound>> apply(List<Inbound<P>> events) {
                    List<Entry> entries = events.stream().map(event -> entryOf.apply(event.payload())).toList();
                    return append(events, entries);
                }
            };
        }

        /** Inserts what is new, numbers it per member, and rebuilds the events of rows this very record created before. */
        private <P extends SpecificRecord> Mono<List<Outbound>> append(List<Inbound<P>> events, List<Entry> entries) {
            int size = events.size();
            String[] merchants = new String[size];
            String[] customers = new String[size];
            String[] entryIds = new String[size];
            String[] orderIds = new String[size];
            Long[] points = new Long[size];
            java.time.OffsetDateTime[] occurred = new java.time.OffsetDateTime[size];
            Integer[] partitions = new Integer[size];
            Long[] offsets = new Long[size];
            for (int i = 0; i < size; i++) {
                Inbound<P> event = events.get(i);
                merchants[i] = event.merchantId();
                customers[i] = event.customerId();
                entryIds[i] = entries.get(i).entryId();
                orderIds[i] = entries.get(i).orderId();
                points[i] = entries.get(i).points();
                occurred[i] = event.occurredAt().atOffset(java.time.ZoneOffset.UTC);
                partitions[i] = event.position().partition();
                offsets[i] = event.position().offset();
            }
            Mono<Set<String>> inserted = db.sql("""
                            insert into kit_entry (merchant_id, customer_id, entry_id, order_id, points, occurred_at, source_partition, source_offset)
                            select * from unnest(cast(:merchants as text[]), cast(:customers as text[]), cast(:entryIds as text[]),
                                                 cast(:orderIds as text[]), cast(:points as bigint[]), cast(:occurred as timestamptz[]),
                                                 cast(:partitions as int[]), cast(:offsets as bigint[]))
                            on conflict (merchant_id, entry_id) do nothing
                            returning merchant_id, source_partition, source_offset""")
                    .bind("merchants", merchants).bind("customers", customers).bind("entryIds", entryIds).bind("orderIds", orderIds)
                    .bind("points", points).bind("occurred", occurred).bind("partitions", partitions).bind("offsets", offsets)
                    .map((row, meta) -> row.get("source_partition", Integer.class) + "@" + row.get("source_offset", Long.class))
                    .all().collect(HashSet::new, Set::add);
            return inserted.flatMap(created -> {
                List<Integer> fresh = new ArrayList<>();
                List<Integer> seenBefore = new ArrayList<>();
                for (int i = 0; i < size; i++) {
                    (created.contains(partitions[i] + "@" + offsets[i]) ? fresh : seenBefore).add(i);
                }
                Mono<Map<Integer, Long>> numbered = number(fresh, merchants, customers, entryIds);
                Mono<Map<Integer, Long>> redelivered = storedSequences(seenBefore, merchants, entryIds, partitions, offsets);
                return numbered.zipWith(redelivered, (a, b) -> {
                    Map<Integer, Long> all = new HashMap<>(a);
                    all.putAll(b);
                    List<Outbound> outputs = new ArrayList<>();
                    for (int i = 0; i < size; i++) {
                        Long sequence = all.get(i);
                        if (sequence != null) {
                            outputs.add(Outbound.of(POINTS, event(events.get(i), entries.get(i), sequence)));
                        }
                    }
                    return outputs;
                });
            });
        }

        private Mono<Map<Integer, Long>> number(List<Integer> fresh, String[] merchants, String[] customers, String[] entryIds) {
            if (fresh.isEmpty()) {
                return Mono.just(Map.of());
            }
            List<MemberKey> members = fresh.stream().map(i -> new MemberKey(merchants[i], customers[i])).toList();
            return sequences.next(POINTS.name(), members).flatMap(numbers -> {
                Map<Integer, Long> byIndex = new HashMap<>();
                for (int j = 0; j < fresh.size(); j++) {
                    byIndex.put(fresh.get(j), numbers.get(j));
                }
                return db.sql("""
                                update kit_entry e set sequence = u.sequence
                                from unnest(cast(:merchants as text[]), cast(:entryIds as text[]), cast(:sequences as bigint[]))
                                     as u(merchant_id, entry_id, sequence)
                                where e.merchant_id = u.merchant_id and e.entry_id = u.entry_id""")
                        .bind("merchants", fresh.stream().map(i -> merchants[i]).toArray(String[]::new))
                        .bind("entryIds", fresh.stream().map(i -> entryIds[i]).toArray(String[]::new))
                        .bind("sequences", numbers.toArray(Long[]::new))
                        .then().thenReturn(byIndex);
            });
        }

        /** A row created by this very record earlier (its Kafka transaction never committed): its events again, same numbers. */
        private Mono<Map<Integer, Long>> storedSequences(List<Integer> seenBefore, String[] merchants, String[] entryIds,
                                                         Integer[] partitions, Long[] offsets) {
            if (seenBefore.isEmpty()) {
                return Mono.just(Map.of());
            }
            Map<String, Integer> indexOf = new HashMap<>();
            seenBefore.forEach(i -> indexOf.put(partitions[i] + "@" + offsets[i], i));
            return db.sql("""
                            select e.source_partition, e.source_offset, e.sequence
                            from kit_entry e
                            join unnest(cast(:merchants as text[]), cast(:entryIds as text[]), cast(:partitions as int[]), cast(:offsets as bigint[]))
                                 as u(merchant_id, entry_id, source_partition, source_offset)
                              on e.merchant_id = u.merchant_id and e.entry_id = u.entry_id
                             and e.source_partition = u.source_partition and e.source_offset = u.source_offset""")
                    .bind("merchants", seenBefore.stream().map(i -> merchants[i]).toArray(String[]::new))
                    .bind("entryIds", seenBefore.stream().map(i -> entryIds[i]).toArray(String[]::new))
                    .bind("partitions", seenBefore.stream().map(i -> partitions[i]).toArray(Integer[]::new))
                    .bind("offsets", seenBefore.stream().map(i -> offsets[i]).toArray(Long[]::new))
                    .map((row, meta) -> Map.entry(indexOf.get(row.get("source_partition", Integer.class) + "@" + row.get("source_offset", Long.class)),
                            row.get("sequence", Long.class)))
                    .all().collectMap(Map.Entry::getKey, Map.Entry::getValue);
        }

        private static PointsEvent event(Inbound<?> inbound, Entry entry, long sequence) {
            SpecificRecord payload = inbound.payload() instanceof OrderPaid
                    ? PointsEarned.newBuilder().setEntryId(entry.entryId()).setPoints(entry.points()).setSource(EarningSource.ORDER)
                            .setOrderId(entry.orderId()).setRuleIds(List.of()).setBalanceAfter(0).build()
                    : PointsReversed.newBuilder().setEntryId(entry.entryId()).setPoints(entry.points()).setOrderId(entry.orderId())
                            .setBalanceAfter(0).build();
            return PointsEvent.newBuilder()
                    .setEventId(Envelopes.eventId(POINTS, inbound.merchantId() + "/" + entry.entryId()))
                    .setOccurredAt(inbound.occurredAt())
                    .setMerchantId(inbound.merchantId())
                    .setCustomerId(inbound.customerId())
                    .setSequence(sequence)
                    .setPayload(payload)
                    .build();
        }
    }

}
