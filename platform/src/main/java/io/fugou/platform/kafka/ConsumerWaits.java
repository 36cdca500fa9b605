package io.fugou.platform.kafka;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Collection;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.kafka.listener.RetryListener;

/**
 * Which partitions are holding still because of a transient outage, and since when: shown by the
 * {@code kafkaConsumers} health component (status {@code WAITING}, answered with HTTP 200, since
 * restarting would not help) and the {@code fugou.kafka.consumer.waiting.partitions} gauge.
 */
public class ConsumerWaits implements RetryListener, HealthIndicator, ConsumerAwareRebalanceListener {

    private static final Logger log = LoggerFactory.getLogger(ConsumerWaits.class);
    public static final Status WAITING = new Status("WAITING", "A consumer waits for the schema registry or the database to come back");

    /** One partition holding still. */
    public record Wait(TransientFailures.Kind kind, Instant since, int attempts, String lastFailure) {
    }

    private final Map<TopicPartition, Wait> waits = new ConcurrentHashMap<>();
    private final MeterRegistry meters;
    private final Clock clock;

    public ConsumerWaits(MeterRegistry meters, Clock clock) {
        this.meters = meters;
        this.clock = clock;
        meters.gauge("fugou.kafka.consumer.waiting.partitions", waits, Map::size);
    }

    @Override
    public void failedDelivery(ConsumerRecord<?, ?> record, Exception failure, int deliveryAttempt) {
        TransientFailures.Kind kind = TransientFailures.kindOf(failure);
        if (kind == null) {
            return;
        }
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        String reason = DeadLetterPublisher.reason(failure);
        Wait wait = waits.merge(partition, new Wait(kind, clock.instant(), 1, reason),
                (before, now) -> new Wait(kind, before.since(), before.attempts() + 1, reason));
        meters.counter("fugou.kafka.consumer.transient.failures", "topic", record.topic(), "kind", kind.name()).increment();
        log.warn("{} waits for the {} (try {}, since {}), holding offset {}: {}", partition, kind.name().toLowerCase().replace('_', ' '),
                wait.attempts(), wait.since(), record.offset(), reason);
    }

    @Override
    public void recovered(ConsumerRecord<?, ?> record, Exception failure) {
        processed(record);
    }

    /** The record went through: its partition no longer waits. */
    public void processed(ConsumerRecord<?, ?> record) {
        if (waits.isEmpty()) {
            return; // every record passes here: no allocation when nothing waits
        }
        Wait ended = waits.remove(new TopicPartition(record.topic(), record.partition()));
        if (ended != null) {
            log.info("{}-{} goes on after waiting {} tries for the {} since {}", record.topic(), record.partition(), ended.attempts(),
                    ended.kind().name().toLowerCase().replace('_', ' '), ended.since());
        }
    }

    /** A partition this consumer no longer owns no longer waits here (its new owner reports its own). */
    @Override
    public void onPartitionsRevokedAfterCommit(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        partitions.forEach(waits::remove);
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        partitions.forEach(waits::remove);
    }

    public Map<TopicPartition, Wait> waits() {
        return Map.copyOf(waits);
    }

    @Override
    public Health health() {
        if (waits.isEmpty()) {
            return Health.up().build();
        }
        Map<String, Object> details = new LinkedHashMap<>();
        waits.forEach((partition, wait) -> details.put(partition.toString(), wait));
        return Health.status(WAITING).withDetails(details).build();
    }
}
