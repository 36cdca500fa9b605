package io.fugou.loyalty.orders.events;

import io.fugou.events.orders.OrderEvent;
import io.fugou.events.orders.OrderPaid;
import io.fugou.loyalty.orders.PaidOrder;
import io.fugou.loyalty.orders.PaidOrders;
import io.fugou.platform.kafka.InvalidEventException;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Consumes commerce.orders.v1. For now it records paid orders (the walking skeleton); the points
 * ledger builds on it. Runs on the listener's own thread, so waiting for the database is fine here
 * and keeps per-member order (no reactive out-of-order acks).
 */
@Component
public class OrderEventsListener {

    private static final Logger log = LoggerFactory.getLogger(OrderEventsListener.class);
    private static final Duration DATABASE_TIMEOUT = Duration.ofSeconds(10);

    private final PaidOrders paidOrders;

    public OrderEventsListener(PaidOrders paidOrders) {
        this.paidOrders = paidOrders;
    }

    @KafkaListener(topics = "#{T(io.fugou.events.Topics).ORDERS.name()}")
    public void onOrderEvent(ConsumerRecord<String, OrderEvent> record) {
        OrderEvent event = record.value();
        if (event.getPayload() instanceof OrderPaid paid) {
            PaidOrder order;
            try {
                order = new PaidOrder(event.getMerchantId(), paid.getOrderId(), event.getCustomerId(), event.getEventId(),
                        paid.getTotal().getAmountMinor(), paid.getTotal().getCurrency(), paid.getLines().size(), event.getOccurredAt());
            } catch (IllegalArgumentException e) {
                throw new InvalidEventException("OrderPaid " + paid.getOrderId() + " (event " + event.getEventId() + ") is invalid: " + e.getMessage(), e);
            }
            boolean recorded = Boolean.TRUE.equals(paidOrders.recordOnce(order).block(DATABASE_TIMEOUT));
            log.debug("Paid order {} of merchant {} {}", order.orderId(), order.merchantId(), recorded ? "recorded" : "already known");
        }
    }
}
