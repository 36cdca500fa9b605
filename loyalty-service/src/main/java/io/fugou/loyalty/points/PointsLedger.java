package io.fugou.loyalty.points;

import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.platform.pipeline.MemberSequences;
import io.fugou.platform.pipeline.SourcePosition;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

/**
 * The points ledger: append-only entries and a balance per member, written a batch at a time with
 * set-based statements (one round trip each, whatever the batch size). Call it inside the batch's
 * transaction.
 */
@Repository
public class PointsLedger {

    private final DatabaseClient db;
    private final MemberSequences sequences;

    public PointsLedger(DatabaseClient db, MemberSequences sequences) {
        this.db = db;
        this.sequences = sequences;
    }

    /**
     * Credits new earnings, in order: each member's balance moves once for the batch, and each entry
     * gets the balance after it and the member's next sequence number on {@code fugou.points.v1}.
     */
    public Mono<List<LedgerEntry>> credit(List<Earning> earnings) {
        if (earnings.isEmpty()) {
            return Mono.just(List.of());
        }
        Map<MemberKey, Long> sums = new LinkedHashMap<>();
        earnings.forEach(earning -> sums.merge(earning.member(), earning.points(), Long::sum));
        // Sorted, so two transactions touching the same members lock them in the same order.
        Mono<Map<MemberKey, Long>> balances = db.sql("""
                        insert into points_balance as b (merchant_id, customer_id, balance)
                        select * from unnest(cast(:merchants as text[]), cast(:customers as text[]), cast(:sums as bigint[]))
                        order by 1, 2
                        on conflict (merchant_id, customer_id) do update set balance = b.balance + excluded.balance
                        returning merchant_id, customer_id, balance""")
                .bind("merchants", sums.keySet().stream().map(MemberKey::merchantId).toArray(String[]::new))
                .bind("customers", sums.keySet().stream().map(MemberKey::customerId).toArray(String[]::new))
                .bind("sums", sums.values().toArray(Long[]::new))
                .map((row, meta) -> Map.entry(new MemberKey(row.get("merchant_id", String.class), row.get("customer_id", String.class)),
                        row.get("balance", Long.class)))
                .all().collectMap(Map.Entry::getKey, Map.Entry::getValue);
        Mono<List<Long>> numbers = sequences.next(Topics.POINTS.name(), earnings.stream().map(Earning::member).toList());
        return balances.zipWith(numbers).flatMap(both -> {
            List<LedgerEntry> entries = entries(earnings, both.getT1(), both.getT2());
            return insert(entries).thenReturn(entries);
        });
    }

    /** The balance after each entry, counted back from the member's balance after the whole batch. */
    private static List<LedgerEntry> entries(List<Earning> earnings, Map<MemberKey, Long> balanceAfterBatch, List<Long> numbers) {
        Map<MemberKey, Long> balance = new HashMap<>(balanceAfterBatch);
        LedgerEntry[] entries = new LedgerEntry[earnings.size()];
        for (int i = earnings.size() - 1; i >= 0; i--) {
            Earning earning = earnings.get(i);
            long after = balance.get(earning.member());
            entries[i] = new LedgerEntry(earning.member(), earning.entryId(), earning.orderId(), earning.points(), after, numbers.get(i),
                    earning.occurredAt(), earning.source());
            balance.put(earning.member(), after - earning.points());
        }
        return List.of(entries);
    }

    private Mono<Void> insert(List<LedgerEntry> entries) {
        return db.sql("""
                        insert into points_entry (merchant_id, customer_id, entry_id, order_id, points, balance_after, sequence, occurred_at,
                                                  source_topic, source_partition, source_offset)
                        select * from unnest(cast(:merchants as text[]), cast(:customers as text[]), cast(:entryIds as text[]),
                                             cast(:orderIds as text[]), cast(:points as bigint[]), cast(:balances as bigint[]),
                                             cast(:sequences as bigint[]), cast(:occurred as timestamptz[]), cast(:topics as text[]),
                                             cast(:partitions as int[]), cast(:offsets as bigint[]))""")
                .bind("merchants", entries.stream().map(e -> e.member().merchantId()).toArray(String[]::new))
                .bind("customers", entries.stream().map(e -> e.member().customerId()).toArray(String[]::new))
                .bind("entryIds", entries.stream().map(LedgerEntry::entryId).toArray(String[]::new))
                .bind("orderIds", entries.stream().map(LedgerEntry::orderId).toArray(String[]::new))
                .bind("points", entries.stream().map(LedgerEntry::points).toArray(Long[]::new))
                .bind("balances", entries.stream().map(LedgerEntry::balanceAfter).toArray(Long[]::new))
                .bind("sequences", entries.stream().map(LedgerEntry::sequence).toArray(Long[]::new))
                .bind("occurred", entries.stream().map(e -> OffsetDateTime.ofInstant(e.occurredAt(), ZoneOffset.UTC)).toArray(OffsetDateTime[]::new))
                .bind("topics", entries.stream().map(e -> e.source().topic()).toArray(String[]::new))
                .bind("partitions", entries.stream().map(e -> e.source().partition()).toArray(Integer[]::new))
                .bind("offsets", entries.stream().map(e -> e.source().offset()).toArray(Long[]::new))
                .then();
    }

    /**
     * The entries these records created in an earlier delivery whose Kafka transaction never committed
     * (so their events were never published): found by entry id and the very position that wrote them.
     */
    public Mono<List<LedgerEntry>> createdBy(List<String> merchantIds, List<String> entryIds, List<SourcePosition> sources) {
        if (entryIds.isEmpty()) {
            return Mono.just(List.of());
        }
        return db.sql("""
                        select e.merchant_id, e.customer_id, e.entry_id, e.order_id, e.points, e.balance_after, e.sequence, e.occurred_at,
                               e.source_topic, e.source_partition, e.source_offset
                        from points_entry e
                        join unnest(cast(:merchants as text[]), cast(:entryIds as text[]), cast(:topics as text[]),
                                    cast(:partitions as int[]), cast(:offsets as bigint[]))
                             as u(merchant_id, entry_id, source_topic, source_partition, source_offset)
                          on e.entry_id = u.entry_id
                        where e.merchant_id = u.merchant_id and e.source_topic = u.source_topic
                          and e.source_partition = u.source_partition and e.source_offset = u.source_offset""")
                .bind("merchants", merchantIds.toArray(String[]::new))
                .bind("entryIds", entryIds.toArray(String[]::new))
                .bind("topics", sources.stream().map(SourcePosition::topic).toArray(String[]::new))
                .bind("partitions", sources.stream().map(SourcePosition::partition).toArray(Integer[]::new))
                .bind("offsets", sources.stream().map(SourcePosition::offset).toArray(Long[]::new))
                .map((row, meta) -> new LedgerEntry(new MemberKey(row.get("merchant_id", String.class), row.get("customer_id", String.class)),
                        row.get("entry_id", String.class), row.get("order_id", String.class), row.get("points", Long.class),
                        row.get("balance_after", Long.class), row.get("sequence", Long.class),
                        row.get("occurred_at", OffsetDateTime.class).toInstant(),
                        new SourcePosition(row.get("source_topic", String.class), row.get("source_partition", Integer.class),
                                row.get("source_offset", Long.class))))
                .all().collectList();
    }
}
