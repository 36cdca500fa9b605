package io.fugou.platform.pipeline;

import io.fugou.platform.config.PlatformTable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Utils;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.transaction.support.DefaultTransactionDefinition;
import org.springframework.util.function.SingletonSupplier;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Where HTTP requests and scheduled jobs put the events of what they change: rows in the service's
 * database, written in the same transaction as the change, and published exactly once, in order, by
 * the pipeline that {@linkplain EventPipeline.Builder#relaysOutbox() relays} them.
 *
 * <pre>{@code
 * return sequences.next(Topics.MEMBERS.name(), List.of(member))         // number first (locks the member)
 *         .flatMap(numbers -> members.update(...)
 *                 .then(outbox.append(List.of(Outbound.of(Topics.MEMBERS, event(numbers.get(0)))))))
 *         .as(transactional::transactional);
 * }</pre>
 *
 * <p>Each event belongs to a share: the partition its key falls in on the relaying pipeline's input
 * topic, so the consumer that applies a member's records also publishes the member's outbox events.
 * Appending takes the share's transaction-scoped advisory lock before the rows get their ids and holds
 * it until commit, so within a share ids are handed out in commit order: the relay may read
 * {@code id > last published} without ever skipping a row whose transaction commits late. The price is
 * that writers of one share take turns for the length of their transactions; keep them short, and
 * append once per transaction, at its end (a second call taking a lower share than the first could deadlock
 * with another writer; PostgreSQL would then fail one of them, which a retry mends): work that appends in
 * several steps runs in {@link #appendingOnceAtTheEnd}, as every pipeline batch does.
 *
 * <p>Number the events ({@link MemberSequences}) before appending them, so every writer takes the
 * member's lock before the share's and none waits for the other in the opposite order.
 */
public class Outbox {

    /** The Reactor context key of the events held by {@link #appendingOnceAtTheEnd}. */
    private static final Object HELD = Outbox.class.getName() + ".held";

    private final DatabaseClient db;
    private final TransactionalOperator insideTransaction;
    private final Supplier<Serializer<Object>> valueSerializer;
    private final int shares;
    private final Supplier<Relay> relay;
    private final PlatformTable table;

    /** The relaying pipeline's consumer group and input topic; null fields when no pipeline relays. */
    record Relay(String group, String inputTopic) {
    }

    /**
     * The serializer and the relaying pipeline are looked up at first use, not at construction: pipelines' handlers
     * take the outbox, and the outbox's relay is one of those pipelines.
     */
    Outbox(DatabaseClient db, ReactiveTransactionManager transactions, Supplier<Serializer<Object>> valueSerializer, int shares,
           Supplier<Relay> relay) {
        this.db = db;
        this.table = new PlatformTable(db, "fugou_outbox", """
                create table if not exists fugou_outbox (
                    id              bigserial primary key,
                    share           int    not null,
                    topic           text   not null,
                    record_key      bytea  not null,
                    record_value    bytea  not null,
                    member_sequence bigint not null default 0,
                    after_offset    bigint not null default -1);
                alter table fugou_outbox add column if not exists after_offset bigint not null default -1;
                alter table fugou_outbox alter column record_value drop not null;
                create index if not exists fugou_outbox_share_id on fugou_outbox (share, id);
                create table if not exists fugou_pipeline_applied (
                    consumer_group   text   not null,
                    topic            text   not null,
                    source_partition int    not null,
                    applied_offset   bigint not null,
                    primary key (consumer_group, topic, source_partition));""");
        DefaultTransactionDefinition mandatory = new DefaultTransactionDefinition(TransactionDefinition.PROPAGATION_MANDATORY);
        this.insideTransaction = TransactionalOperator.create(transactions, mandatory);
        this.valueSerializer = SingletonSupplier.of(valueSerializer);
        this.shares = shares;
        this.relay = SingletonSupplier.of(relay);
    }

    /**
     * Adds the events to the outbox in the caller's transaction (there must be one: outside a transaction
     * the change and its events could part). They reach their topics after that transaction commits.
     */
    public Mono<Void> append(List<Outbound> events) {
        return Mono.deferContextual(context -> context.<List<Outbound>>getOrEmpty(HELD)
                .map(held -> Mono.<Void>fromRunnable(() -> held.addAll(events)))
                .orElseGet(() -> appendNow(events)));
    }

    /**
     * Runs work whose appends are held and made once, when it ends: one share lock per transaction, taken after every
     * lock the work takes, so writers that append in several steps (a batch's waves, a job's parts) cannot deadlock on
     * shares against each other. Nested, the outermost appends. The pipeline runs every batch this way.
     */
    public <T> Mono<T> appendingOnceAtTheEnd(Mono<T> work) {
        return appendingOnceAtTheEnd(work, null);
    }

    /**
     * {@link #appendingOnceAtTheEnd(Mono)}, and a pipeline batch's applied positions recorded by the same last statement
     * (one round trip less per batch); {@code applied} may be null.
     */
    <T> Mono<T> appendingOnceAtTheEnd(Mono<T> work, Applied applied) {
        return Mono.deferContextual(context -> {
            if (context.hasKey(HELD)) {
                return applied == null ? work : followedBy(work, () -> markApplied(applied));
            }
            List<Outbound> held = Collections.synchronizedList(new ArrayList<>());
            return followedBy(work.contextWrite(inner -> inner.put(HELD, held)), () -> appendNow(List.copyOf(held), applied));
        });
    }

    /** The work's result, once {@code after} has run, whether the work gave a result or none. */
    private static <T> Mono<T> followedBy(Mono<T> work, Supplier<Mono<Void>> after) {
        return work.flatMap(result -> after.get().thenReturn(result)).switchIfEmpty(Mono.defer(() -> after.get().then(Mono.<T>empty())));
    }

    /**
     * The last offset of each partition a pipeline batch applied, recorded in the batch's transaction as its last statement.
     * An outbox row committed later records it ({@code after_offset}) and waits until the consumer's position has passed it:
     * those records' events may come before the row in a member's sequence.
     */
    record Applied(String group, String topic, Integer[] partitions, Long[] offsets) {

        static Applied of(String group, String topic, List<SourcePosition> positions) {
            Map<Integer, Long> last = new TreeMap<>();
            for (SourcePosition position : positions) {
                last.merge(position.partition(), position.offset(), Math::max);
            }
            return last.isEmpty() ? null : new Applied(group, topic, last.keySet().toArray(Integer[]::new), last.values().toArray(Long[]::new));
        }
    }

    private static final String UPSERT_APPLIED = """
            insert into fugou_pipeline_applied (consumer_group, topic, source_partition, applied_offset)
            select :appliedGroup, :appliedTopic, p.source_partition, p.applied_offset
            from unnest(cast(:appliedPartitions as int[]), cast(:appliedOffsets as bigint[])) as p(source_partition, applied_offset)
            on conflict (consumer_group, topic, source_partition)
            do update set applied_offset = greatest(fugou_pipeline_applied.applied_offset, excluded.applied_offset)""";

    private Mono<Void> markApplied(Applied applied) {
        return ensureSchema().then(bindApplied(db.sql(UPSERT_APPLIED), applied).then());
    }

    private static DatabaseClient.GenericExecuteSpec bindApplied(DatabaseClient.GenericExecuteSpec statement, Applied applied) {
        return statement.bind("appliedGroup", applied.group()).bind("appliedTopic", applied.topic())
                .bind("appliedPartitions", applied.partitions()).bind("appliedOffsets", applied.offsets());
    }

    private Mono<Void> appendNow(List<Outbound> events) {
        return appendNow(events, null);
    }

    private Mono<Void> appendNow(List<Outbound> events, Applied applied) {
        if (events.isEmpty()) {
            return applied == null ? Mono.empty() : markApplied(applied);
        }
        if (relay.get().group() == null) {
            return Mono.error(new IllegalStateException("no pipeline of this service relays the outbox: declare relaysOutbox() on one"));
        }
        // Serializing may ask the schema registry (once per schema): not on the caller's event loop.
        Mono<Rows> rows = Mono.fromCallable(() -> rowsOf(events)).subscribeOn(Schedulers.boundedElastic());
        return insideTransaction.transactional(ensureSchema().then(rows).flatMap(built -> insert(built, applied)));
    }

    /** The share of an event key: the partition the key falls in on the relaying pipeline's input topic (Kafka's own partitioner). */
    int shareOf(String key) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % shares;
    }

    private record Rows(Integer[] shares, String[] topics, String[] keys, String[] values, Long[] sequences) {
    }

    private Rows rowsOf(List<Outbound> events) {
        int size = events.size();
        Rows rows = new Rows(new Integer[size], new String[size], new String[size], new String[size], new Long[size]);
        for (int i = 0; i < size; i++) {
            Outbound event = events.get(i);
            String topic = event.topic().name();
            rows.shares()[i] = shareOf(event.key());
            rows.topics()[i] = topic;
            rows.keys()[i] = event.key();
            rows.values()[i] = event.value() == null ? null // a tombstone
                    : Base64.getEncoder().encodeToString(valueSerializer.get().serialize(topic, new RecordHeaders(), event.value()));
            rows.sequences()[i] = Envelopes.sequence(event.value());
        }
        return rows;
    }

    private Mono<Void> insert(Rows rows, Applied applied) {
        // Ascending, so two writers needing the same shares take them in one order.
        Integer[] locked = new TreeSet<>(List.of(rows.shares())).toArray(Integer[]::new);
        Mono<Void> lock = db.sql("select pg_advisory_xact_lock(hashtext('fugou_outbox'), u.share) from unnest(cast(:shares as int[])) as u(share)")
                .bind("shares", locked)
                .fetch().all().then();
        // Base64 text arrays: one round trip for every row (r2dbc binds no bytea[]). A batch's applied positions are recorded
        // by the same statement; its rows still read the positions as they were before it (a statement's parts share one snapshot).
        DatabaseClient.GenericExecuteSpec statement = db.sql((applied == null ? "" : "with applied as (" + UPSERT_APPLIED + ")\n") + """
                        insert into fugou_outbox (share, topic, record_key, record_value, member_sequence, after_offset)
                        select u.share, u.topic, convert_to(u.record_key, 'UTF8'), decode(u.record_value, 'base64'), u.member_sequence,
                               coalesce((select a.applied_offset from fugou_pipeline_applied a
                                         where a.consumer_group = :group and a.topic = :inputTopic and a.source_partition = u.share), -1)
                        from unnest(cast(:shares as int[]), cast(:topics as text[]), cast(:keys as text[]), cast(:values as text[]),
                                    cast(:sequences as bigint[])) with ordinality as u(share, topic, record_key, record_value, member_sequence, n)
                        order by u.n""")
                .bind("shares", rows.shares()).bind("topics", rows.topics()).bind("keys", rows.keys()).bind("values", rows.values())
                .bind("sequences", rows.sequences())
                .bind("group", relay.get().group()).bind("inputTopic", relay.get().inputTopic());
        Mono<Void> insert = (applied == null ? statement : bindApplied(statement, applied)).then();
        return lock.then(insert);
    }

    /** The outbox and the pipelines' applied positions are the platform's tables, created on first use. */
    Mono<Void> ensureSchema() {
        return table.ensure();
    }
}
