package io.fugou.platform.kafka;

import io.fugou.events.MemberKey;
import io.fugou.serde.avro.UnknownEvent;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.RecordInterceptor;

/**
 * What every listener gets before its own code runs:
 * <ul>
 * <li>the tolerant reader: an event of a type this service's contracts do not know yet
 * ({@link UnknownEvent}) is skipped with a log line and the {@code fugou.kafka.events.unknown}
 * counter, never handed over as some other type;</li>
 * <li>a record whose key is not its envelope's {@code merchantId:customerId} is refused
 * ({@link InvalidEventException}, so it is dead-lettered with that reason): it would sit on another
 * member's partition, out of order with that member's other events.</li>
 * </ul>
 * A dead letter replayed for another consumer group is skipped: this group processed the original.
 * It also tells {@link ConsumerWaits} that a partition that was waiting goes on.
 */
public class PlatformRecordInterceptor implements RecordInterceptor<Object, Object> {

    private static final Logger log = LoggerFactory.getLogger(PlatformRecordInterceptor.class);

    private final MeterRegistry meters;
    private final ConsumerWaits waits;

    public PlatformRecordInterceptor(MeterRegistry meters, ConsumerWaits waits) {
        this.meters = meters;
        this.waits = waits;
    }

    @Override
    public ConsumerRecord<Object, Object> intercept(ConsumerRecord<Object, Object> record, Consumer<Object, Object> consumer) {
        if (isUnknownEvent(record, meters)) {
            waits.processed(record);
            return null;
        }
        if (isReplayForAnotherGroup(record, consumer)) {
            log.debug("Skipping {}-{}@{}: a dead letter replayed for another consumer group", record.topic(), record.partition(), record.offset());
            return null;
        }
        checkKey(record);
        return record;
    }

    /**
     * Whether the record carries an event type this service's contracts do not know (written by a newer
     * producer): counted ({@code fugou.kafka.events.unknown}) and logged, for the caller to skip.
     */
    public static boolean isUnknownEvent(ConsumerRecord<?, ?> record, MeterRegistry meters) {
        if (!(record.value() instanceof UnknownEvent unknown)) {
            return false;
        }
        meters.counter("fugou.kafka.events.unknown", "topic", record.topic()).increment();
        log.info("Skipping {}-{}@{}: event type {} is unknown to this service's contracts (schema id {}); "
                + "upgrade the service to handle it", record.topic(), record.partition(), record.offset(),
                String.join(", ", unknown.unknownTypes()), unknown.schemaId());
        return true;
    }

    /** A replayed dead letter is for the group that failed on it; the others processed the original already. */
    public static boolean isReplayForAnotherGroup(ConsumerRecord<?, ?> record, Consumer<?, ?> consumer) {
        Header target = record.headers().lastHeader(DeadLetterReplay.REPLAY_FOR_GROUP_HEADER);
        if (target == null) {
            return false;
        }
        String group = consumer == null ? null : consumer.groupMetadata().groupId();
        return group != null && !group.equals(new String(target.value(), java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public void success(ConsumerRecord<Object, Object> record, Consumer<Object, Object> consumer) {
        waits.processed(record);
    }

    /** Envelopes carry merchantId and customerId; the record's key must say the same. */
    public static void checkKey(ConsumerRecord<?, ?> record) {
        if (!(record.value() instanceof SpecificRecord envelope)) {
            return;
        }
        Schema schema = envelope.getSchema();
        Schema.Field merchant = schema.getField("merchantId");
        Schema.Field customer = schema.getField("customerId");
        if (merchant == null || customer == null) {
            return;
        }
        String expected = envelope.get(merchant.pos()) + ":" + envelope.get(customer.pos());
        if (!expected.equals(String.valueOf(record.key()))) {
            throw new InvalidEventException("the record's key '" + record.key() + "' is not its envelope's merchantId:customerId '"
                    + expected + "' (" + MemberKey.class.getSimpleName() + "); a producer keyed it wrongly, so it sits on another "
                    + "member's partition", null);
        }
    }
}
