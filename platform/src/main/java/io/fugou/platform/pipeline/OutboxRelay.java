package io.fugou.platform.pipeline;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Mono;

/**
 * Publishes the {@link Outbox} from the consumers of the pipeline that relays it. The consumer that owns
 * partition p of the pipeline's input topic publishes share p: in the Kafka transaction of each of its
 * batches, and on its own when it has been idle a moment ({@code fugou.pipeline.outbox-poll}). Each such
 * transaction also carries the share's position (the last outbox id published) as a record of a compacted
 * topic, and the consumer group's offsets, so:
 * <ul>
 * <li>an outbox row is on its topic exactly when the position covering it is: a relay killed after sending
 * and before committing leaves neither visible, and the next owner publishes the row once;</li>
 * <li>a relay that lost its partitions (a zombie) cannot commit: KIP-447 refuses its offsets;</li>
 * <li>one member's events from its records and from the outbox come out in the order the database
 * applied them: both are published by one consumer, rows in a transaction are ordered per member by
 * sequence, and a row goes only once the records its pipeline had applied when the row committed are on
 * Kafka or in the same transaction: each batch records its partition's last applied offset in its own
 * database transaction ({@code fugou_pipeline_applied}), and each outbox row the offset it saw.</li>
 * </ul>
 * Rows whose position is committed are deleted by the relay afterwards.
 */
final class OutboxRelay {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
    private static final int MAX_ROWS = 2000;
    private static final Duration POSITION_READ_TIMEOUT = Duration.ofSeconds(30);

    private final Outbox outbox;
    private final DatabaseClient db;
    private final String pipeline;
    private final String group;
    private final String inputTopic;
    private final String positionTopic;
    private final Map<String, Object> positionReader;
    private final Duration databaseTimeout;
    private final Duration transactionTimeout;
    /** Null but in tests. */
    private final BatchObserver observer;
    /** The last outbox id committed to Kafka per share, as known since the consumer group generation it was read in. */
    private final Map<Integer, Published> positions = new ConcurrentHashMap<>();
    /**
     * Positions sent in a batch's transaction, which the container commits after the listener returns. The
     * Kafka transaction manager runs no synchronizations, so the outcome is learnt on the consumer's next turn:
     * a rollback calls {@link #rolledBack} first (the after-rollback processor), so what is still pending then
     * was committed.
     */
    private final Map<Integer, Published> pending = new ConcurrentHashMap<>();
    private final Map<Integer, Long> deletedThrough = new ConcurrentHashMap<>();
    /** Per share, when its published rows were last deleted (System.nanoTime()). */
    private final Map<Integer, Long> deletedAt = new ConcurrentHashMap<>();
    /**
     * How often a share's published rows are deleted: a statement between a batch's commit and its events going out, once a
     * second instead of after every batch (rows published meanwhile wait for the next, so a member's erased profile leaves the
     * outbox within a second or two of being published).
     */
    private static final long DELETE_EVERY_NANOS = Duration.ofSeconds(1).toNanos();
    private volatile Instant lastIdleFailureLogged = Instant.EPOCH;
    private final Counter relayedEvents;
    private final Counter idleFailures;

    OutboxRelay(Outbox outbox, DatabaseClient db, String pipeline, String group, String inputTopic, Map<String, Object> consumerConfig,
                Duration databaseTimeout, Duration transactionTimeout, BatchObserver observer, MeterRegistry meters) {
        this.outbox = outbox;
        this.db = db;
        this.pipeline = pipeline;
        this.group = group;
        this.inputTopic = inputTopic;
        this.positionTopic = positionTopic(group);
        this.positionReader = new HashMap<>(consumerConfig);
        positionReader.remove(ConsumerConfig.GROUP_ID_CONFIG);
        positionReader.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        positionReader.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        positionReader.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.databaseTimeout = databaseTimeout;
        this.transactionTimeout = transactionTimeout;
        this.observer = observer;
        this.relayedEvents = meters.counter("fugou.outbox.events.relayed", "pipeline", pipeline);
        this.idleFailures = meters.counter("fugou.outbox.relay.failures", "pipeline", pipeline);
    }

    /** The compacted topic of a consumer group's outbox positions: one partition per share, the last record of each is its position. */
    static String positionTopic(String group) {
        return group + ".outbox-positions";
    }

    private record Published(int generation, long id) {
    }

    /** An outbox row to publish. */
    record Row(long id, int share, String topic, byte[] key, byte[] value, long sequence, long afterOffset) {
    }

    /** What one transaction publishes from the outbox: rows in id order, and each share's new position. */
    record Relayed(List<Row> rows, Map<Integer, Long> through, int generation) {
        static final Relayed NONE = new Relayed(List.of(), Map.of(), -1);
    }

    /** An output record with the member sequence it must keep (0: none). */
    record Send(ProducerRecord<byte[], byte[]> record, long sequence) {
    }

    /** The topic whose partitions the outbox's shares follow: the relaying pipeline's input. */
    String inputTopic() {
        return inputTopic;
    }

    /**
     * The rows this consumer may publish now, after everything the database applied for its partitions
     * has been (or is being, in the current transaction) published. Blocking: runs on the consumer thread.
     */
    Relayed collect(Consumer<?, ?> consumer) {
        List<TopicPartition> assigned = consumer.assignment().stream().filter(partition -> partition.topic().equals(inputTopic)).toList();
        if (assigned.isEmpty()) {
            return Relayed.NONE;
        }
        outbox.ensureSchema().block(databaseTimeout);
        int generation = consumer.groupMetadata().generationId();
        for (TopicPartition partition : assigned) {
            // An entry of a later generation is a newer owner's (another consumer of this process took the share while
            // this one was being evicted): left to it.
            pending.computeIfPresent(partition.partition(), (share, sent) -> {
                if (sent.generation() == generation) {
                    positions.put(share, sent);
                }
                return sent.generation() > generation ? sent : null;
            });
        }
        Map<Integer, Long> publishedThrough = new TreeMap<>();
        for (TopicPartition partition : assigned) {
            publishedThrough.put(partition.partition(), consumer.position(partition) - 1);
        }
        Map<Integer, Long> after = positions(publishedThrough.keySet(), generation);
        deletePublished(after);
        Integer[] shares = after.keySet().toArray(Integer[]::new);
        List<Row> rows = db.sql("""
                        select o.id, o.share, o.topic, o.record_key, o.record_value, o.member_sequence, o.after_offset
                        from fugou_outbox o
                        join unnest(cast(:shares as int[]), cast(:after as bigint[])) as u(share, after_id)
                          on o.share = u.share and o.id > u.after_id
                        order by o.id
                        limit :limit""")
                .bind("shares", shares)
                .bind("after", after.values().toArray(Long[]::new))
                .bind("limit", MAX_ROWS)
                .map((row, meta) -> new Row(row.get("id", Long.class), row.get("share", Integer.class), row.get("topic", String.class),
                        bytes(row.get("record_key")), bytes(row.get("record_value")), row.get("member_sequence", Long.class),
                        row.get("after_offset", Long.class)))
                .all().collectList()
                .block(databaseTimeout);
        if (rows == null || rows.isEmpty()) {
            return Relayed.NONE;
        }
        // A row goes once everything its pipeline had applied when the row committed is on Kafka, or goes in this
        // transaction: those records' events may come before it in a member's sequence. After a crash, applied
        // records wait to be read again. Rows of a share record rising offsets, so what goes is always a prefix.
        rows = rows.stream().filter(row -> publishedThrough.get(row.share()) >= row.afterOffset()).toList();
        if (rows.isEmpty()) {
            return Relayed.NONE;
        }
        Map<Integer, Long> through = new TreeMap<>();
        rows.forEach(row -> through.merge(row.share(), row.id(), Math::max));
        return new Relayed(rows, through, generation);
    }

    /** The outbox rows as records, in id order, each with its member sequence. */
    List<Send> sends(Relayed relayed) {
        List<Send> sends = new ArrayList<>();
        for (Row row : relayed.rows()) {
            sends.add(new Send(new ProducerRecord<>(row.topic(), null, row.key(), row.value()), row.sequence()));
        }
        return sends;
    }

    void sendPositions(Relayed relayed, KafkaOperations<byte[], byte[]> kafka) {
        relayed.through().forEach((share, id) -> kafka.send(new ProducerRecord<>(positionTopic, share,
                Integer.toString(share).getBytes(StandardCharsets.UTF_8), Long.toString(id).getBytes(StandardCharsets.UTF_8))));
        if (observer != null) {
            kafka.flush(); // so a test failing the transaction here finds the aborted copies on the log
            observer.beforeRelayCommit(pipeline, relayed.rows().stream().map(Row::id).toList());
        }
    }

    /** Sent in the container's Kafka transaction: the positions count from the consumer's next turn, unless it rolls back. */
    void sentInBatch(Relayed relayed) {
        relayed.through().forEach((share, id) -> pending.put(share, new Published(relayed.generation(), id)));
        relayedEvents.increment(relayed.rows().size());
    }

    /** The container rolled a batch back (on the consumer's thread): its positions never counted. */
    void rolledBack(Consumer<?, ?> consumer) {
        int generation = consumer.groupMetadata().generationId();
        consumer.assignment().forEach(partition -> {
            if (partition.topic().equals(inputTopic)) {
                // Not a later generation's: that is another consumer's of this process, which took the share meanwhile.
                pending.computeIfPresent(partition.partition(), (share, sent) -> sent.generation() > generation ? sent : null);
            }
        });
    }

    /** When the consumer has been idle a moment: its shares' rows in a transaction of their own, fenced like a batch's. */
    void idle(Consumer<?, ?> consumer, KafkaTemplate<byte[], byte[]> kafka) {
        Relayed relayed;
        try {
            relayed = collect(consumer);
            if (relayed.rows().isEmpty()) {
                return;
            }
        } catch (RuntimeException failure) {
            logIdleFailure(failure);
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (Integer share : relayed.through().keySet()) {
            TopicPartition partition = new TopicPartition(inputTopic, share);
            offsets.put(partition, new OffsetAndMetadata(consumer.position(partition)));
        }
        try {
            kafka.executeInTransaction(operations -> {
                sends(relayed).forEach(send -> operations.send(send.record()));
                sendPositions(relayed, operations);
                // The group's offsets (unchanged) make the transaction fail if this consumer no longer owns the partitions.
                operations.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                return null;
            });
            committed(relayed);
            relayedEvents.increment(relayed.rows().size());
        } catch (RuntimeException failure) {
            forget(relayed);
            logIdleFailure(failure);
        }
    }

    private void committed(Relayed relayed) {
        relayed.through().forEach((share, id) -> positions.put(share, new Published(relayed.generation(), id)));
    }

    /** The transaction's outcome is unknown: its shares' positions are read again (once no transaction is open on them). */
    private void forget(Relayed relayed) {
        relayed.through().keySet().forEach(positions::remove);
    }

    private void logIdleFailure(RuntimeException failure) {
        idleFailures.increment();
        Instant now = Instant.now();
        if (now.isAfter(lastIdleFailureLogged.plusSeconds(30))) {
            lastIdleFailureLogged = now;
            log.warn("Outbox relay of pipeline '{}' could not publish ({}); trying again", pipeline, failure.toString());
        }
    }

    /** Each share's position, read from the position topic when this generation has not read it yet. */
    private Map<Integer, Long> positions(Set<Integer> shares, int generation) {
        Map<Integer, Long> known = new TreeMap<>();
        List<Integer> unknown = new ArrayList<>();
        for (Integer share : shares) {
            Published published = positions.get(share);
            if (published != null && published.generation() == generation) {
                known.put(share, published.id());
            } else {
                unknown.add(share);
            }
        }
        if (!unknown.isEmpty()) {
            read(unknown).forEach((share, id) -> {
                positions.put(share, new Published(generation, id));
                known.put(share, id);
            });
        }
        return known;
    }

    /** The last committed position of each share: its partition of the position topic, read to the end read_committed. */
    private Map<Integer, Long> read(List<Integer> shares) {
        Map<Integer, Long> found = new LinkedHashMap<>();
        shares.forEach(share -> found.put(share, 0L));
        List<TopicPartition> partitions = shares.stream().map(share -> new TopicPartition(positionTopic, share)).toList();
        Map<String, Object> uncommitted = new HashMap<>(positionReader);
        uncommitted.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        try (KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(positionReader, new ByteArrayDeserializer(), new ByteArrayDeserializer());
             KafkaConsumer<byte[], byte[]> written = new KafkaConsumer<>(uncommitted, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            reader.assign(partitions);
            reader.seekToBeginning(partitions);
            Instant deadline = Instant.now().plus(transactionTimeout).plus(POSITION_READ_TIMEOUT);
            // A transaction still open or completing on a share (the previous owner's, until it is fenced or its markers are
            // written) hides positions that may be committed already: read once everything written is decided.
            Map<TopicPartition, Long> decided = reader.endOffsets(partitions, POSITION_READ_TIMEOUT);
            while (!decided.equals(written.endOffsets(partitions, POSITION_READ_TIMEOUT))) {
                if (Instant.now().isAfter(deadline)) {
                    throw new org.apache.kafka.common.errors.TimeoutException("a transaction stays open on " + positionTopic);
                }
                sleep(Duration.ofMillis(20));
                decided = reader.endOffsets(partitions, POSITION_READ_TIMEOUT);
            }
            Map<TopicPartition, Long> end = decided;
            while (partitions.stream().anyMatch(partition -> reader.position(partition) < end.get(partition))) {
                if (Instant.now().isAfter(deadline)) {
                    throw new org.apache.kafka.common.errors.TimeoutException("reading the outbox positions of " + positionTopic + " took too long");
                }
                for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(100))) {
                    found.put(record.partition(), Long.parseLong(new String(record.value(), StandardCharsets.UTF_8)));
                }
            }
        }
        log.info("Outbox relay of pipeline '{}' resumes shares {} after ids {}", pipeline, shares, found.values());
        return found;
    }

    /** Rows whose position Kafka has committed are not needed any more. */
    private void deletePublished(Map<Integer, Long> confirmed) {
        long now = System.nanoTime();
        Map<Integer, Long> deletable = new TreeMap<>();
        confirmed.forEach((share, id) -> {
            Long last = deletedAt.get(share);
            if (id > deletedThrough.getOrDefault(share, 0L) && (last == null || now - last >= DELETE_EVERY_NANOS)) {
                deletable.put(share, id);
            }
        });
        if (deletable.isEmpty()) {
            return;
        }
        // From what was deleted before: the index's entries of rows deleted earlier stay until vacuum, and a range open below
        // would walk them all again on every delete (seconds after a busy hour).
        db.sql("""
                        delete from fugou_outbox o
                        using unnest(cast(:shares as int[]), cast(:after as bigint[]), cast(:through as bigint[])) as u(share, after_id, through_id)
                        where o.share = u.share and o.id > u.after_id and o.id <= u.through_id""")
                .bind("shares", deletable.keySet().toArray(Integer[]::new))
                .bind("after", deletable.keySet().stream().map(share -> deletedThrough.getOrDefault(share, 0L)).toArray(Long[]::new))
                .bind("through", deletable.values().toArray(Long[]::new))
                .then().block(databaseTimeout);
        deletedThrough.putAll(deletable);
        deletable.keySet().forEach(share -> deletedAt.put(share, now));
    }

    /**
     * The records of one Kafka transaction in the order to send them: as given, except that the events of
     * one member on one topic that carry sequence numbers are put in sequence order (outbox rows and a
     * batch's events may interleave on a member). Records of different members keep their places.
     */
    static List<ProducerRecord<byte[], byte[]>> inMemberOrder(List<Send> sends) {
        Map<String, List<Integer>> slotsOfMember = new HashMap<>();
        for (int i = 0; i < sends.size(); i++) {
            Send send = sends.get(i);
            if (send.sequence() > 0) {
                String member = send.record().topic() + "/" + new String(send.record().key(), StandardCharsets.UTF_8);
                slotsOfMember.computeIfAbsent(member, any -> new ArrayList<>()).add(i);
            }
        }
        List<ProducerRecord<byte[], byte[]>> ordered = new ArrayList<>(sends.stream().map(Send::record).toList());
        for (List<Integer> slots : slotsOfMember.values()) {
            if (slots.size() > 1) {
                List<Send> sorted = slots.stream().map(sends::get).sorted(Comparator.comparingLong(Send::sequence)).toList();
                for (int i = 0; i < slots.size(); i++) {
                    ordered.set(slots.get(i), sorted.get(i).record());
                }
            }
        }
        return ordered;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the outbox positions", e);
        }
    }

    private static byte[] bytes(Object column) {
        if (column instanceof java.nio.ByteBuffer buffer) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        }
        return (byte[]) column;
    }
}
