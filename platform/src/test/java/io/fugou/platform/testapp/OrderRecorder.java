package io.fugou.platform.testapp;

import io.fugou.events.orders.OrderEvent;
import io.fugou.events.orders.OrderPaid;
import io.fugou.platform.kafka.InvalidEventException;
import io.r2dbc.spi.R2dbcTransientResourceException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * A listener as a service would write one: records the order events it is given, in order. Tests
 * make it fail: an order id starting with {@code invalid-} breaks a rule; {@link #failTransiently}
 * makes the "database" unreachable for an order a number of times.
 */
@Component
public class OrderRecorder {

    /** An event as the listener received it. */
    public record Seen(String key, String type, String orderId) {
    }

    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> transientFailures = new ConcurrentHashMap<>();
    private final java.util.Set<String> accepted = ConcurrentHashMap.newKeySet();

    @KafkaListener(topics = "#{T(io.fugou.events.Topics).ORDERS.name()}", groupId = "platform-test")
    public void onOrderEvent(ConsumerRecord<String, OrderEvent> record) {
        Object payload = record.value().getPayload();
        String orderId = payload instanceof OrderPaid paid ? paid.getOrderId() : String.valueOf(((org.apache.avro.specific.SpecificRecord) payload).get(0));
        AtomicInteger failures = transientFailures.get(orderId);
        if (failures != null && failures.getAndDecrement() > 0) {
            throw new R2dbcTransientResourceException("connection to the database lost (simulated)");
        }
        if (orderId.startsWith("invalid-") && !accepted.contains(orderId)) {
            throw new InvalidEventException("order " + orderId + " breaks a rule (simulated)", null);
        }
        seen.add(new Seen(record.key(), payload.getClass().getSimpleName(), orderId));
    }

    /** The rule the order broke was fixed: it is accepted from now on. */
    public void accept(String orderId) {
        accepted.add(orderId);
    }

    public void failTransiently(String orderId, int times) {
        transientFailures.put(orderId, new AtomicInteger(times));
    }

    public List<Seen> seen() {
        return List.copyOf(seen);
    }

    public List<String> orderIdsOf(String key) {
        return seen.stream().filter(s -> s.key().equals(key)).map(Seen::orderId).toList();
    }
}
