package io.fugou.loyalty.points;

import io.fugou.events.MemberKey;
import io.fugou.loyalty.rules.EarningRules.RefundShortfall;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.pipeline.SourcePosition;
import io.fugou.platform.web.paging.Cursor;
import io.fugou.platform.web.paging.Page;
import io.fugou.platform.web.paging.PageRequest;
import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

/**
 * The points ledger: append-only entries, and each member's balances kept equal to the sums of them
 * in the same transaction. Written a batch at a time with set-based statements (one round trip each,
 * whatever the batch size); call it inside the caller's transaction.
 */
@Repository
public class PointsLedger {

    /** Joins a row's rule ids into one array element: unnest cannot carry an array per row. */
    private static final String RULE_SEPARATOR = "\u001f";

    private final DatabaseClient db;
    private final PointsLots lots;

    public PointsLedger(DatabaseClient db, PointsLots lots) {
        this.db = db;
        this.lots = lots;
    }

    /**
     * Posts the changes in order. The members' balance rows are locked first (in one sorted statement that
     * also numbers their events), so their balances are read and moved by one writer at a time; each entry
     * gets the balances after it and the member's next number on {@code fugou.points.v1}.
     */
    public Mono<List<LedgerEntry>> post(List<Posting> postings) {
        return post(postings, NO_CHECK);
    }

    private static final Function<Map<MemberKey, Balance>, Mono<Void>> NO_CHECK = before -> Mono.empty();

    /**
     * The one order balance rows are locked in, so two writers touching the same members cannot deadlock: merchant, then
     * customer. Written out because every batch sorts its members by it: the key extractors of a composed comparator are
     * called through call sites every comparator of the process shares, which the JIT cannot inline.
     */
    static final Comparator<MemberKey> MEMBER_ORDER = (a, b) -> {
        int byMerchant = a.merchantId().compareTo(b.merchantId());
        return byMerchant != 0 ? byMerchant : a.customerId().compareTo(b.customerId());
    };

    /**
     * Posts the changes if {@code check} passes on the members' balances before them (read under the
     * members' locks, so no other writer moves them meanwhile); when it fails, nothing is written.
     */
    public Mono<List<LedgerEntry>> post(List<Posting> postings, Function<Map<MemberKey, Balance>, Mono<Void>> check) {
        if (postings.isEmpty()) {
            return Mono.just(List.of());
        }
        // Where nothing is checked and no posting's effect depends on the balance before it, the balances are moved by their
        // sums in the statement that locks and numbers them (the balances before are those less the sums): each balance row
        // is visited once. Otherwise that statement moves them by nothing, and they are written once the entries are known.
        boolean bySums = check == NO_CHECK && postings.stream().allMatch(PointsLedger::independentOfBalance);
        Map<MemberKey, Moves> moves = new HashMap<>();
        for (Posting posting : postings) {
            Moves sum = moves.computeIfAbsent(posting.member(), member -> new Moves());
            sum.events++;
            if (bySums) {
                LedgerEntry moved = entry(posting, Balance.NONE, 0);
                sum.available += moved.availableDelta();
                sum.pending += moved.pendingDelta();
                sum.lifetime += lifetimeDelta(posting);
            }
        }
        return move(moves).flatMap(numbered -> (bySums ? Mono.<Void>empty() : check.apply(numbered.balancesBefore())).then(Mono.defer(() -> {
                    Map<MemberKey, Balance> balances = new HashMap<>(numbered.balancesBefore());
                    Map<MemberKey, Long> nextNumber = new HashMap<>(numbered.firstNumbers());
                    LedgerEntry[] entries = new LedgerEntry[postings.size()];
                    for (int i = 0; i < postings.size(); i++) {
                        Posting posting = postings.get(i);
                        Balance before = balances.getOrDefault(posting.member(), Balance.NONE);
                        entries[i] = entry(posting, before, nextNumber.merge(posting.member(), 1L, Long::sum) - 1);
                        balances.put(posting.member(), new Balance(entries[i].balanceAfter(), entries[i].pendingAfter(),
                                before.lifetime() + lifetimeDelta(posting)));
                    }
                    List<LedgerEntry> posted = Arrays.asList(entries);
                    List<MemberKey> spending = posted.stream().filter(e -> e.availableDelta() < 0).map(LedgerEntry::member).distinct().toList();
                    Mono<Void> lotsMoved = lots.open(spending).flatMap(open -> {
                        PointsLots.Book book = new PointsLots.Book(new HashMap<>(open));
                        for (int i = 0; i < postings.size(); i++) {
                            book.apply(postings.get(i), posted.get(i));
                        }
                        return lots.store(book);
                    });
                    Mono<Void> stored = bySums ? Mono.empty() : store(balances);
                    return insert(posted).then(stored).then(lotsMoved).thenReturn(posted);
                })));
    }

    /**
     * The next numbers of these members' events on {@code fugou.points.v1}, one per entry, in order (a member listed twice
     * gets two), for events that are not ledger entries (entitlements, expiry notices). Their balance rows stay locked
     * until the transaction ends, so numbers follow commit order.
     */
    public Mono<List<Long>> number(List<MemberKey> members) {
        if (members.isEmpty()) {
            return Mono.just(List.of());
        }
        Map<MemberKey, Moves> moves = new HashMap<>();
        members.forEach(member -> moves.computeIfAbsent(member, m -> new Moves()).events++);
        return move(moves).map(numbered -> {
            Map<MemberKey, Long> nextNumber = new HashMap<>(numbered.firstNumbers());
            return members.stream().map(member -> nextNumber.merge(member, 1L, Long::sum) - 1).toList();
        });
    }

    /**
     * Locks these members' balance rows until the transaction ends (creating them at zero where there are none), moving
     * nothing. A writer that locks other rows of a member too (their entitlements) takes the balance first, as a batch of
     * orders does: two writers taking the same two rows in opposite orders would deadlock.
     */
    public Mono<Void> lock(List<MemberKey> members) {
        if (members.isEmpty()) {
            return Mono.empty();
        }
        Map<MemberKey, Moves> moves = new HashMap<>();
        members.forEach(member -> moves.computeIfAbsent(member, m -> new Moves()));
        return move(moves).then();
    }

    /** What a batch moves a member's balance row by: the balances, and the count of events it numbers. */
    private static final class Moves {
        long available;
        long pending;
        long lifetime;
        long events;
    }

    /** The balances before a batch's moves, and each member's first number in it. */
    private record Numbered(Map<MemberKey, Balance> balancesBefore, Map<MemberKey, Long> firstNumbers) {
    }

    /**
     * Moves each member's balances and event counter, creating the row at zero when there is none, in one statement; the
     * rows are locked in one order ({@link #MEMBER_ORDER}) until the transaction ends. The counter lives in the balance
     * row so that locking, moving and numbering a member is one row written, not two.
     */
    private Mono<Numbered> move(Map<MemberKey, Moves> moves) {
        List<MemberKey> sorted = moves.keySet().stream().sorted(MEMBER_ORDER).toList();
        return db.sql("""
                        insert into points_balance as b (merchant_id, customer_id, available, pending, lifetime, last_sequence)
                        select * from unnest(cast(:merchants as text[]), cast(:customers as text[]), cast(:available as bigint[]),
                                             cast(:pending as bigint[]), cast(:lifetime as bigint[]), cast(:events as bigint[]))
                        on conflict (merchant_id, customer_id) do update
                           set available = b.available + excluded.available, pending = b.pending + excluded.pending,
                               lifetime = b.lifetime + excluded.lifetime, last_sequence = b.last_sequence + excluded.last_sequence
                        returning merchant_id, customer_id, available, pending, lifetime, last_sequence""")
                .bind("merchants", sorted.stream().map(MemberKey::merchantId).toArray(String[]::new))
                .bind("customers", sorted.stream().map(MemberKey::customerId).toArray(String[]::new))
                .bind("available", sorted.stream().map(m -> moves.get(m).available).toArray(Long[]::new))
                .bind("pending", sorted.stream().map(m -> moves.get(m).pending).toArray(Long[]::new))
                .bind("lifetime", sorted.stream().map(m -> moves.get(m).lifetime).toArray(Long[]::new))
                .bind("events", sorted.stream().map(m -> moves.get(m).events).toArray(Long[]::new))
                .map((row, meta) -> new MovedRow(new MemberKey(row.get("merchant_id", String.class), row.get("customer_id", String.class)),
                        new Balance(row.get("available", Long.class), row.get("pending", Long.class), row.get("lifetime", Long.class)),
                        row.get("last_sequence", Long.class)))
                .all()
                .collectList()
                .map(rows -> {
                    Map<MemberKey, Balance> before = new HashMap<>();
                    Map<MemberKey, Long> first = new HashMap<>();
                    for (MovedRow row : rows) {
                        Moves moved = moves.get(row.member());
                        before.put(row.member(), new Balance(row.after().available() - moved.available, row.after().pending() - moved.pending,
                                row.after().lifetime() - moved.lifetime));
                        first.put(row.member(), row.lastNumber() - moved.events + 1);
                    }
                    return new Numbered(before, first);
                });
    }

    private record MovedRow(MemberKey member, Balance after, long lastNumber) {
    }

    /** Whether the posting moves the balances by the same amounts whatever they were: all but a refund short of available points. */
    private static boolean independentOfBalance(Posting posting) {
        return posting.kind() != EntryKind.REVERSED || posting.pending() || posting.shortfall() == RefundShortfall.ALLOW_NEGATIVE;
    }

    private static LedgerEntry entry(Posting posting, Balance before, long sequence) {
        long available = 0;
        long pending = 0;
        long shortfall = 0;
        long points = posting.points();
        switch (posting.kind()) {
            case EARNED -> {
                if (posting.pending()) {
                    pending = points;
                } else {
                    available = points;
                }
            }
            case RELEASED -> {
                pending = -points;
                available = points;
            }
            case REVERSED -> {
                if (posting.pending()) {
                    pending = -points;
                } else if (posting.shortfall() == RefundShortfall.ALLOW_NEGATIVE) {
                    available = -points;
                } else {
                    long taken = Math.min(points, Math.max(0, before.available()));
                    available = -taken;
                    shortfall = points - taken;
                }
            }
            case ADJUSTED -> available = points;
            case REDEEMED, EXPIRED -> available = -points;
        }
        return new LedgerEntry(posting.member(), posting.entryId(), posting.kind(), points, available, pending,
                before.available() + available, before.pending() + pending, shortfall, posting.orderId(), posting.refundId(),
                posting.ruleIds(), posting.availableAt(), available > 0 ? posting.expiresAt() : null, posting.spend(), posting.reason(),
                posting.operator(), sequence, posting.occurredAt(), posting.source());
    }

    private static long lifetimeDelta(Posting posting) {
        return switch (posting.kind()) {
            case EARNED, ADJUSTED -> posting.points();
            case REVERSED -> -posting.points();
            case RELEASED, REDEEMED, EXPIRED -> 0;
        };
    }

    /** The balances of these members; a member with no row yet is absent. */
    public Mono<Map<MemberKey, Balance>> balances(List<MemberKey> members) {
        return balancesOf(db.sql("""
                        select b.merchant_id, b.customer_id, b.available, b.pending, b.lifetime
                        from unnest(cast(:merchants as text[]), cast(:customers as text[])) as u(merchant_id, customer_id)
                        -- By key, one lookup per member (see PaidOrders.known)
                        cross join lateral (select * from points_balance p where p.merchant_id = u.merchant_id and p.customer_id = u.customer_id limit 1) b"""),
                members);
    }

    private static Mono<Map<MemberKey, Balance>> balancesOf(DatabaseClient.GenericExecuteSpec query, List<MemberKey> members) {
        return query.bind("merchants", members.stream().map(MemberKey::merchantId).toArray(String[]::new))
                .bind("customers", members.stream().map(MemberKey::customerId).toArray(String[]::new))
                .map((row, meta) -> Map.entry(new MemberKey(row.get("merchant_id", String.class), row.get("customer_id", String.class)),
                        new Balance(row.get("available", Long.class), row.get("pending", Long.class), row.get("lifetime", Long.class))))
                .all()
                .collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    public Mono<Balance> balance(MerchantId merchant, String customerId) {
        return balances(List.of(new MemberKey(merchant.value(), customerId)))
                .map(found -> found.getOrDefault(new MemberKey(merchant.value(), customerId), Balance.NONE));
    }

    /** Writes the balances of members whose rows {@link #move} locked (and created) in this transaction. */
    private Mono<Void> store(Map<MemberKey, Balance> balances) {
        List<MemberKey> changed = balances.keySet().stream().sorted(MEMBER_ORDER).toList();
        return db.sql("""
                        insert into points_balance as b (merchant_id, customer_id, available, pending, lifetime)
                        select * from unnest(cast(:merchants as text[]), cast(:customers as text[]), cast(:available as bigint[]),
                                             cast(:pending as bigint[]), cast(:lifetime as bigint[]))
                        -- By key (an update joined to the list may scan the table): the rows exist, locked by move
                        on conflict (merchant_id, customer_id) do update
                           set available = excluded.available, pending = excluded.pending, lifetime = excluded.lifetime""")
                .bind("merchants", changed.stream().map(MemberKey::merchantId).toArray(String[]::new))
                .bind("customers", changed.stream().map(MemberKey::customerId).toArray(String[]::new))
                .bind("available", changed.stream().map(m -> balances.get(m).available()).toArray(Long[]::new))
                .bind("pending", changed.stream().map(m -> balances.get(m).pending()).toArray(Long[]::new))
                .bind("lifetime", changed.stream().map(m -> balances.get(m).lifetime()).toArray(Long[]::new))
                .then();
    }

    /**
     * A column of {@code points_entry} as the insert sends it: one array per column, unnested into rows. An optional
     * column (nullable, no default) is left out of a batch in which no entry has a value for it: most batches are
     * earnings only, and the nine columns of refunds, redemptions, adjustments and expiry would be arrays of nulls, each
     * sent and unnested (measured: 116,000-133,000 rows/s with them, 143,000-144,000 without).
     */
    private record EntryColumn(String name, String type, boolean optional, Function<LedgerEntry, ?> value, IntFunction<Object[]> array,
                               String stored) {
        static EntryColumn required(String name, String type, Function<LedgerEntry, ?> value, IntFunction<Object[]> array) {
            return new EntryColumn(name, type, false, value, array, name);
        }

        static EntryColumn optional(String name, String type, Function<LedgerEntry, ?> value, IntFunction<Object[]> array) {
            return new EntryColumn(name, type, true, value, array, name);
        }
    }

    private static final List<EntryColumn> ENTRY_COLUMNS = List.of(
            EntryColumn.required("merchant_id", "text", e -> e.member().merchantId(), String[]::new),
            EntryColumn.required("customer_id", "text", e -> e.member().customerId(), String[]::new),
            EntryColumn.required("entry_id", "text", LedgerEntry::entryId, String[]::new),
            EntryColumn.required("kind", "text", e -> e.kind().stored(), String[]::new),
            EntryColumn.required("points", "bigint", LedgerEntry::points, Long[]::new),
            EntryColumn.required("available_delta", "bigint", LedgerEntry::availableDelta, Long[]::new),
            EntryColumn.required("pending_delta", "bigint", LedgerEntry::pendingDelta, Long[]::new),
            EntryColumn.required("balance_after", "bigint", LedgerEntry::balanceAfter, Long[]::new),
            EntryColumn.required("pending_after", "bigint", LedgerEntry::pendingAfter, Long[]::new),
            EntryColumn.required("shortfall", "bigint", LedgerEntry::shortfall, Long[]::new),
            EntryColumn.required("sequence", "bigint", LedgerEntry::sequence, Long[]::new),
            EntryColumn.required("occurred_at", "timestamptz", LedgerEntry::occurredAt, Instant[]::new),
            new EntryColumn("rule_ids", "text", false, e -> String.join(RULE_SEPARATOR, e.ruleIds()), String[]::new,
                    "string_to_array(rule_ids, chr(31))"),
            EntryColumn.optional("order_id", "text", LedgerEntry::orderId, String[]::new),
            EntryColumn.optional("refund_id", "text", LedgerEntry::refundId, String[]::new),
            EntryColumn.optional("available_at", "timestamptz", LedgerEntry::availableAt, Instant[]::new),
            EntryColumn.optional("reason", "text", LedgerEntry::reason, String[]::new),
            EntryColumn.optional("operator", "text", LedgerEntry::operator, String[]::new),
            EntryColumn.optional("source_topic", "text", e -> e.source() == null ? null : e.source().topic(), String[]::new),
            EntryColumn.optional("source_partition", "int", e -> e.source() == null ? null : e.source().partition(), Integer[]::new),
            EntryColumn.optional("source_offset", "bigint", e -> e.source() == null ? null : e.source().offset(), Long[]::new),
            EntryColumn.optional("expires_at", "timestamptz", LedgerEntry::expiresAt, Instant[]::new),
            EntryColumn.optional("redemption_id", "text", e -> e.spend() == null ? null : e.spend().redemptionId(), String[]::new),
            EntryColumn.optional("reward", "text", e -> e.spend() == null ? null : e.spend().reward(), String[]::new),
            EntryColumn.optional("reward_id", "text", e -> e.spend() == null ? null : e.spend().rewardId(), String[]::new),
            EntryColumn.optional("cash_minor", "bigint", e -> e.spend() == null ? null : e.spend().cashMinor(), Long[]::new),
            EntryColumn.optional("cash_currency", "text", e -> e.spend() == null ? null : e.spend().cashCurrency(), String[]::new));

    private Mono<Void> insert(List<LedgerEntry> entries) {
        List<EntryColumn> sent = new ArrayList<>();
        List<Object[]> values = new ArrayList<>();
        for (EntryColumn column : ENTRY_COLUMNS) {
            Object[] array = column(entries, column.value(), column.array());
            if (!column.optional() || Arrays.stream(array).anyMatch(Objects::nonNull)) {
                sent.add(column);
                values.add(array);
            }
        }
        // merchant_id is always the first column sent.
        StringBuilder names = new StringBuilder();
        StringBuilder stored = new StringBuilder();
        StringBuilder arrays = new StringBuilder("cast(:c0 as text[])");
        for (int i = 1; i < sent.size(); i++) {
            names.append(", ").append(sent.get(i).name());
            stored.append(", ").append(sent.get(i).stored());
            arrays.append(", cast(:c").append(i).append(" as ").append(sent.get(i).type()).append("[])");
        }
        DatabaseClient.GenericExecuteSpec insert = db.sql("insert into points_entry (merchant_id" + names + ") select merchant_id" + stored
                + " from unnest(" + arrays + ") as u(merchant_id" + names + ")");
        for (int i = 0; i < sent.size(); i++) {
            insert = insert.bind("c" + i, values.get(i));
        }
        return insert.then();
    }

    /** Which of these entries exist already, by merchant and entry id (each pair as {@code merchant + ' ' + entryId}). */
    public Mono<java.util.Set<String>> existing(List<String> merchantIds, List<String> entryIds) {
        if (entryIds.isEmpty()) {
            return Mono.just(java.util.Set.of());
        }
        return db.sql("""
                        select e.merchant_id, e.entry_id from points_entry e,
                             unnest(cast(:merchants as text[]), cast(:entryIds as text[])) as u(merchant_id, entry_id)
                        where e.merchant_id = u.merchant_id and e.entry_id = u.entry_id""")
                .bind("merchants", merchantIds.toArray(String[]::new))
                .bind("entryIds", entryIds.toArray(String[]::new))
                .map((row, meta) -> row.get("merchant_id", String.class) + " " + row.get("entry_id", String.class))
                .all().collect(java.util.stream.Collectors.toSet());
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
                        select e.* from points_entry e,
                             unnest(cast(:merchants as text[]), cast(:entryIds as text[]), cast(:topics as text[]),
                                    cast(:partitions as int[]), cast(:offsets as bigint[]))
                             as u(merchant_id, entry_id, source_topic, source_partition, source_offset)
                        where e.merchant_id = u.merchant_id and e.entry_id = u.entry_id and e.source_topic = u.source_topic
                          and e.source_partition = u.source_partition and e.source_offset = u.source_offset""")
                .bind("merchants", merchantIds.toArray(String[]::new))
                .bind("entryIds", entryIds.toArray(String[]::new))
                .bind("topics", sources.stream().map(SourcePosition::topic).toArray(String[]::new))
                .bind("partitions", sources.stream().map(SourcePosition::partition).toArray(Integer[]::new))
                .bind("offsets", sources.stream().map(SourcePosition::offset).toArray(Long[]::new))
                .map((row, meta) -> entry(row))
                .all().collectList();
    }

    /** A member's entries, newest first, a page at a time (the cursor is the last sequence seen). */
    public Mono<Page<LedgerEntry>> history(MerchantId merchant, String customerId, PageRequest page) {
        long before = page.after(1).map(cursor -> cursor.longValue(0)).orElse(Long.MAX_VALUE);
        return db.sql("""
                        select e.* from points_entry e
                        where e.merchant_id = :merchant and e.customer_id = :customer and e.sequence < :before
                        order by e.sequence desc limit :limit""")
                .bind("merchant", merchant.value())
                .bind("customer", customerId)
                .bind("before", before)
                .bind("limit", page.fetchSize())
                .map((row, meta) -> entry(row))
                .all().collectList()
                .map(rows -> Page.of(rows, page, entry -> Cursor.of(Long.toString(entry.sequence()))));
    }

    static LedgerEntry entry(Readable row) {
        String[] ruleIds = row.get("rule_ids", String[].class);
        OffsetDateTime availableAt = row.get("available_at", OffsetDateTime.class);
        OffsetDateTime expiresAt = row.get("expires_at", OffsetDateTime.class);
        String topic = row.get("source_topic", String.class);
        String reward = row.get("reward", String.class);
        String cashCurrency = row.get("cash_currency", String.class);
        Posting.Spend spend = reward == null ? null : new Posting.Spend(row.get("redemption_id", String.class), reward,
                row.get("reward_id", String.class), row.get("cash_minor", Long.class), cashCurrency == null ? null : cashCurrency.trim());
        return new LedgerEntry(new MemberKey(row.get("merchant_id", String.class), row.get("customer_id", String.class)),
                row.get("entry_id", String.class), EntryKind.fromStored(row.get("kind", String.class)), row.get("points", Long.class),
                row.get("available_delta", Long.class), row.get("pending_delta", Long.class), row.get("balance_after", Long.class),
                row.get("pending_after", Long.class), row.get("shortfall", Long.class), row.get("order_id", String.class),
                row.get("refund_id", String.class), ruleIds == null ? List.of() : List.of(ruleIds),
                availableAt == null ? null : availableAt.toInstant(), expiresAt == null ? null : expiresAt.toInstant(), spend,
                row.get("reason", String.class), row.get("operator", String.class),
                row.get("sequence", Long.class), row.get("occurred_at", OffsetDateTime.class).toInstant(),
                topic == null ? null : new SourcePosition(topic, row.get("source_partition", Integer.class), row.get("source_offset", Long.class)));
    }

    private static <T> T[] column(List<LedgerEntry> entries, Function<LedgerEntry, ?> value, IntFunction<? extends T[]> array) {
        T[] values = array.apply(entries.size());
        for (int i = 0; i < values.length; i++) {
            @SuppressWarnings("unchecked")
            T one = (T) value.apply(entries.get(i));
            values[i] = one;
        }
        return values;
    }
}
