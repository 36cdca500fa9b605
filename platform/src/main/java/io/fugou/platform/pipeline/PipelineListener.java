package io.fugou.platform.pipeline;

import io.fugou.platform.kafka.ConsumerWaits;
import io.fugou.platform.kafka.DeadLetterPublisher;
import io.fugou.platform.kafka.InvalidEventException;
import io.fugou.platform.kafka.KafkaPlatformAutoConfiguration;
import io.fugou.platform.kafka.PlatformRecordInterceptor;
import io.fugou.platform.kafka.TransientFailures;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.log.LogAccessor;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.BatchConsumerAwareMessageListener;
import org.springframework.kafka.support.serializer.DeserializationException;
import org.springframework.kafka.support.serializer.SerializationUtils;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs one {@link EventPipeline} on a batch of records, inside the Kafka transaction the listener
 * container opened for the batch:
 * <ol>
 * <li>each record is read and checked (deserialization failures, unknown event types, replays for
 * another group, keys that are not the envelope's member, the handler's own {@code check}); what can
 * never be processed becomes a dead letter, what is unknown is skipped;</li>
 * <li>the rest is applied in one database transaction, a wave per event type ({@link Waves}), and
 * committed: the handlers' writes are idempotent, so a redelivered batch changes nothing;</li>
 * <li>the events the handlers return and the dead letters are sent in the Kafka transaction, which
 * the container then commits together with the batch's offsets ({@code sendOffsetsToTransaction}).</li>
 * </ol>
 * A batch that fails for a reason that is not transient is applied again one record at a time, each in
 * its own transaction, so only the record at fault becomes a dead letter. A transient failure (the
 * database or the registry unreachable) is thrown: the Kafka transaction aborts and the container
 * seeks back and waits, holding the partitions, without limit.
 */
final class PipelineListener implements BatchConsumerAwareMessageListener<Object, Object> {

    private static final Logger log = LoggerFactory.getLogger(PipelineListener.class);
    private static final LogAccessor LOG_ACCESSOR = new LogAccessor(PipelineListener.class);

    private final EventPipeline<?> pipeline;
    private final TransactionalOperator databaseTransaction;
    private final KafkaTemplate<byte[], byte[]> kafka;
    private final Serializer<Object> valueSerializer;
    private final ConsumerWaits waits;
    private final BatchObserver observer;
    private final OutboxRelay relay;
    private final Outbox outbox;
    private final Duration databaseTimeout;
    private final int attempts;
    private final Counter applied;
    private final Counter published;
    private final Counter deadLettered;
    private final Timer batches;
    private final MeterRegistry meters;
    /** Per consumer thread: one listener serves all of a pipeline's consumers. */
    private final ThreadLocal<long[]> previousBatchEnded = ThreadLocal.withInitial(() -> new long[1]);

    PipelineListener(EventPipeline<?> pipeline, TransactionalOperator databaseTransaction, KafkaTemplate<byte[], byte[]> kafka,
                     Serializer<Object> valueSerializer, ConsumerWaits waits, BatchObserver observer, Duration databaseTimeout,
                     int attempts, MeterRegistry meters, OutboxRelay relay, Outbox outbox) {
        this.pipeline = pipeline;
        this.outbox = outbox;
        this.databaseTransaction = databaseTransaction;
        this.kafka = kafka;
        this.valueSerializer = valueSerializer;
        this.waits = waits;
        this.observer = observer;
        this.relay = relay;
        this.databaseTimeout = databaseTimeout;
        this.attempts = attempts;
        this.meters = meters;
        this.applied = meters.counter("fugou.pipeline.records.applied", "pipeline", pipeline.name());
        this.published = meters.counter("fugou.pipeline.events.published", "pipeline", pipeline.name());
        this.deadLettered = meters.counter("fugou.pipeline.records.dead.lettered", "pipeline", pipeline.name());
        this.batches = meters.timer("fugou.pipeline.batches", "pipeline", pipeline.name());
    }

    /** A record to apply: the event, its handler, and the record for dead-lettering it. */
    private record Pending(ConsumerRecord<Object, Object> record, Inbound<SpecificRecord> event, EventHandler<SpecificRecord> handler) {
    }

    @Override
    public void onMessage(List<ConsumerRecord<Object, Object>> records, Consumer<?, ?> consumer) {
        long started = System.nanoTime();
        long startedAtMillis = System.currentTimeMillis();
        String group = consumer == null ? pipeline.group() : consumer.groupMetadata().groupId();
        List<ProducerRecord<byte[], byte[]>> deadLetters = new ArrayList<>();
        List<Pending> pending = new ArrayList<>(records.size());
        for (ConsumerRecord<Object, Object> record : records) {
            Pending accepted = accept(record, consumer, group, deadLetters);
            if (accepted != null) {
                pending.add(accepted);
            }
        }
        long read = System.nanoTime();
        int unreadable = deadLetters.size();
        List<Outbound> outputs = pending.isEmpty() ? List.of() : apply(pending, group, deadLetters);
        int appliedRecords = pending.size() - (deadLetters.size() - unreadable); // less those the one-at-a-time fallback parked
        long committed = System.nanoTime();
        OutboxRelay.Relayed relayed = relay == null || consumer == null ? OutboxRelay.Relayed.NONE : relay.collect(consumer);
        send(relayed, outputs, deadLetters);
        if (observer != null) {
            kafka.flush(); // so a test failing the batch here finds the aborted copies on the log
            observer.beforeKafkaCommit(pipeline.name(), records.stream()
                    .map(record -> new SourcePosition(record.topic(), record.partition(), record.offset())).toList());
        }
        applied.increment(appliedRecords);
        published.increment(outputs.size() + relayed.rows().size());
        deadLettered.increment(deadLetters.size());
        lastOfEachPartition(records).forEach(waits::processed);
        long ended = System.nanoTime();
        batches.record(ended - started, TimeUnit.NANOSECONDS);
        if (log.isDebugEnabled()) {
            log.debug("Batch of {} records ({} applied, {} events, {} dead letters): read {} ms, database {} ms, publish {} ms; "
                            + "{} ms since the previous batch (its Kafka commit, and the poll); oldest record {} ms old at the start",
                    records.size(), appliedRecords, outputs.size(), deadLetters.size(), (read - started) / 1_000_000,
                    (committed - read) / 1_000_000, (ended - committed) / 1_000_000,
                    previousBatchEnded.get()[0] == 0 ? -1 : (started - previousBatchEnded.get()[0]) / 1_000_000,
                    startedAtMillis - records.stream().mapToLong(ConsumerRecord::timestamp).min().orElse(startedAtMillis));
        }
        previousBatchEnded.get()[0] = ended;
    }

    /** The record as an event to apply; null when it is skipped or was dead-lettered. Throws when it must wait. */
    private Pending accept(ConsumerRecord<Object, Object> record, Consumer<?, ?> consumer, String group,
                           List<ProducerRecord<byte[], byte[]>> deadLetters) {
        DeserializationException unreadable = readFailure(record);
        if (unreadable != null) {
            if (TransientFailures.isTransient(unreadable)) {
                throw waitFor(record, unreadable);
            }
            deadLetters.add(deadLetter(record, unreadable, group));
            return null;
        }
        if (PlatformRecordInterceptor.isUnknownEvent(record, meters)) {
            return null;
        }
        if (PlatformRecordInterceptor.isReplayForAnotherGroup(record, consumer)) {
            return null;
        }
        try {
            if (!(record.value() instanceof SpecificRecord envelope)) {
                throw new InvalidEventException("the record carries no event (its value is empty)", null);
            }
            PlatformRecordInterceptor.checkKey(record);
            Object payload = Envelopes.payload(envelope);
            EventHandler<SpecificRecord> handler = pipeline.handlerFor(payload.getClass());
            if (handler == null) {
                if (!pipeline.skips(payload.getClass())) {
                    throw new IllegalStateException("no handler for " + payload.getClass().getName());
                }
                return null;
            }
            Inbound<SpecificRecord> event = new Inbound<>(new SourcePosition(record.topic(), record.partition(), record.offset()),
                    String.valueOf(record.key()), Envelopes.text(envelope, "eventId"), Envelopes.text(envelope, "merchantId"),
                    Envelopes.text(envelope, "customerId"), Envelopes.instant(envelope, "occurredAt"), (SpecificRecord) payload);
            handler.check(event);
            return new Pending(record, event, handler);
        } catch (RuntimeException failure) {
            if (TransientFailures.isTransient(failure)) {
                throw waitFor(record, failure);
            }
            deadLetters.add(deadLetter(record, failure, group));
            return null;
        }
    }

    /** One database transaction for the whole batch; when it fails for a reason that is not transient, one per record. */
    private List<Outbound> apply(List<Pending> pending, String group, List<ProducerRecord<byte[], byte[]>> deadLetters) {
        try {
            return applyInOneTransaction(pending, group);
        } catch (RuntimeException failure) {
            if (TransientFailures.isTransient(failure)) {
                throw waitFor(pending.get(0).record(), failure);
            }
            log.warn("A batch of {} records of pipeline '{}' failed ({}); applying them one at a time to find the records at fault",
                    pending.size(), pipeline.name(), DeadLetterPublisher.reason(failure));
        }
        List<Outbound> outputs = new ArrayList<>();
        for (Pending one : pending) {
            RuntimeException last = null;
            for (int attempt = 0; attempt <= attempts; attempt++) {
                try {
                    outputs.addAll(applyInOneTransaction(List.of(one), group));
                    last = null;
                    break;
                } catch (RuntimeException failure) {
                    if (TransientFailures.isTransient(failure)) {
                        throw waitFor(one.record(), failure);
                    }
                    last = failure;
                    if (KafkaPlatformAutoConfiguration.isHopeless(failure)) {
                        break;
                    }
                }
            }
            if (last != null) {
                deadLetters.add(deadLetter(one.record(), last, group));
            }
        }
        return outputs;
    }

    private List<Outbound> applyInOneTransaction(List<Pending> pending, String group) {
        List<Waves.Wave<Pending>> waves = Waves.split(pending, one -> one.event().payload().getClass(), one -> one.event().key());
        Mono<List<Outbound>> all = Flux.fromIterable(waves)
                .concatMap(wave -> {
                    EventHandler<SpecificRecord> handler = wave.items().get(0).handler();
                    return handler.apply(wave.items().stream().map(Pending::event).toList()).flatMapIterable(outputs -> outputs);
                })
                .collectList();
        // Whatever the waves put in the outbox goes in once, after all their locks; with it, for the outbox relay, what the
        // database applied here, so the relay holds a share back while that is not on Kafka yet.
        all = outbox.appendingOnceAtTheEnd(all, relay == null ? null
                : Outbox.Applied.of(group, relay.inputTopic(), pending.stream().map(one -> one.event().position()).toList()));
        List<Outbound> outputs = databaseTransaction.transactional(all).block(databaseTimeout);
        return outputs == null ? List.of() : outputs;
    }

    /**
     * Sends within the container's Kafka transaction without waiting: the container's commit flushes
     * them, and a send that failed fails the commit, so the batch is aborted and read again. Outbox rows
     * and the batch's events go in each member's sequence order.
     */
    private void send(OutboxRelay.Relayed relayed, List<Outbound> outputs, List<ProducerRecord<byte[], byte[]>> deadLetters) {
        List<OutboxRelay.Send> sends = new ArrayList<>(relay == null ? List.of() : relay.sends(relayed));
        for (Outbound output : outputs) {
            String topic = output.topic().name();
            RecordHeaders headers = new RecordHeaders();
            byte[] value = valueSerializer.serialize(topic, headers, output.value());
            sends.add(new OutboxRelay.Send(new ProducerRecord<>(topic, null, output.key().getBytes(StandardCharsets.UTF_8), value, headers),
                    Envelopes.sequence(output.value())));
        }
        OutboxRelay.inMemberOrder(sends).forEach(kafka::send);
        if (!relayed.rows().isEmpty()) {
            relay.sendPositions(relayed, kafka);
            relay.sentInBatch(relayed);
        }
        deadLetters.forEach(kafka::send);
    }

    private ProducerRecord<byte[], byte[]> deadLetter(ConsumerRecord<?, ?> record, Exception failure, String group) {
        log.warn("Dead-lettering {}-{}@{} ({}): {}", record.topic(), record.partition(), record.offset(), pipeline.name(),
                DeadLetterPublisher.reason(failure));
        meters.counter("fugou.kafka.dead.letters", "topic", record.topic()).increment();
        return DeadLetterPublisher.deadLetterOf(record, failure, group);
    }

    /** Shown in health as a waiting partition, then thrown so the batch is aborted, sought back and tried again later. */
    private RuntimeException waitFor(ConsumerRecord<?, ?> record, Exception failure) {
        waits.failedDelivery(record, failure, 0);
        return failure instanceof RuntimeException runtime ? runtime : new IllegalStateException(failure);
    }

    private static DeserializationException readFailure(ConsumerRecord<?, ?> record) {
        if (record.value() == null) {
            DeserializationException value = SerializationUtils.getExceptionFromHeader(record,
                    SerializationUtils.VALUE_DESERIALIZER_EXCEPTION_HEADER, LOG_ACCESSOR);
            if (value != null) {
                return value;
            }
        }
        return record.key() == null ? SerializationUtils.getExceptionFromHeader(record,
                SerializationUtils.KEY_DESERIALIZER_EXCEPTION_HEADER, LOG_ACCESSOR) : null;
    }

    private static List<ConsumerRecord<Object, Object>> lastOfEachPartition(List<ConsumerRecord<Object, Object>> records) {
        Map<TopicPartition, ConsumerRecord<Object, Object>> last = new LinkedHashMap<>();
        records.forEach(record -> last.put(new TopicPartition(record.topic(), record.partition()), record));
        return List.copyOf(last.values());
    }
}
