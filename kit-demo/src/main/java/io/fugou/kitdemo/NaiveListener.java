package io.fugou.kitdemo;

import io.fugou.events.orders.OrderEvent;
import io.fugou.events.orders.OrderPaid;
import io.fugou.platform.pipeline.Inbound;
import io.fugou.platform.pipeline.SourcePosition;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * The naive way, for comparison only: what the walking skeleton did, one record at a time, one
 * database transaction per record and a blocking publish after it (at least once: a crash between the
 * two loses nothing but may publish twice).
 */
@Component
@ConditionalOnProperty(name = "kit-demo.mode", havingValue = "naive")
class NaiveListener {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final DemoEntries entries;
    private final KafkaTemplate<Object, Object> kafka;
    private final KitDemoApplication.DemoTopics topics;

    NaiveListener(DemoEntries entries, KafkaTemplate<Object, Object> kafka, KitDemoApplication.DemoTopics topics) {
        this.entries = entries;
        this.kafka = kafka;
        this.topics = topics;
    }

    @KafkaListener(topics = "${kit-demo.input-topic}", groupId = "kit-demo-naive")
    void onOrder(ConsumerRecord<String, OrderEvent> record) throws Exception {
        OrderEvent event = record.value();
        if (!(event.getPayload() instanceof OrderPaid paid)) {
            return;
        }
        DemoEntries.Entry entry = DemoEntries.Entry.of(new Inbound<>(new SourcePosition(record.topic(), record.partition(), record.offset()),
                record.key(), event.getEventId(), event.getMerchantId(), event.getCustomerId(), event.getOccurredAt(), paid));
        if (Boolean.TRUE.equals(entries.insertOne(entry).block(TIMEOUT))) {
            kafka.send(topics.output().name(), entry.member().toString(), entry.event(topics.output())).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
    }
}
