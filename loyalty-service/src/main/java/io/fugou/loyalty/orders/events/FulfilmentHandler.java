package io.fugou.loyalty.orders.events;

import io.fugou.events.orders.OrderFulfilled;
import io.fugou.loyalty.orders.PaidOrders;
import io.fugou.loyalty.orders.PaidOrders.OrderKey;
import io.fugou.loyalty.rules.ReturnWindow;
import io.fugou.loyalty.rules.RuleBook;
import io.fugou.platform.pipeline.EventHandler;
import io.fugou.platform.pipeline.Inbound;
import io.fugou.platform.pipeline.Outbound;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Receipt confirmed (确认收货): the return window of an order whose points are still pending is counted
 * again from the confirmation, never ending earlier than it would have. An order arriving in several
 * parcels stays pending until the window of its last confirmed parcel closes. Applying a confirmation
 * twice changes nothing; nothing is published (the points move when they become available).
 */
@Component
public class FulfilmentHandler implements EventHandler<OrderFulfilled> {

    private final PaidOrders paidOrders;
    private final RuleBook rules;

    public FulfilmentHandler(PaidOrders paidOrders, RuleBook rules) {
        this.paidOrders = paidOrders;
        this.rules = rules;
    }

    @Override
    public Mono<List<Outbound>> apply(List<Inbound<OrderFulfilled>> events) {
        return rules.versionsOf(events.stream().map(Inbound::merchantId).toList()).flatMap(versions -> {
            List<OrderKey> orders = new ArrayList<>();
            List<Instant> until = new ArrayList<>();
            for (Inbound<OrderFulfilled> event : events) {
                Instant closes = ReturnWindow.closesAfter(versions.inForce(event.merchantId(), event.occurredAt()).rules(), event.occurredAt());
                if (closes != null) {
                    orders.add(new OrderKey(event.merchantId(), event.payload().getOrderId()));
                    until.add(closes);
                }
            }
            return paidOrders.holdUntil(orders, until).thenReturn(List.<Outbound>of());
        });
    }
}
