package io.fugou.loyalty.orders.events;

import io.fugou.events.orders.OrderFulfilled;
import io.fugou.loyalty.orders.PaidOrders;
import io.fugou.loyalty.orders.PaidOrders.OrderKey;
import io.fugou.loyalty.rules.EarningRules;
import io.fugou.loyalty.rules.ReturnWindow;
import io.fugou.loyalty.rules.RuleBook;
import io.fugou.platform.pipeline.EventHandler;
import io.fugou.platform.pipeline.Inbound;
import io.fugou.platform.pipeline.Outbound;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Receipt confirmed (确认收货): the return window of an order whose points are still pending is counted
 * again from the confirmation. For a merchant counting from receipt, the first confirmation replaces the
 * provisional end set at payment; otherwise, and for later parcels, the end only ever moves later, so an
 * order arriving in several parcels stays pending until the window of its last confirmed parcel closes.
 * Applying a confirmation twice changes nothing; nothing is published (the points move when they become
 * available).
 */
@Component
public class FulfilmentHandler implements EventHandler<OrderFulfilled> {

    private final PaidOrders paidOrders;
    private final RuleBook rules;

    public FulfilmentHandler(PaidOrders paidOrders, RuleBook rules) {
        this.paidOrders = paidOrders;
        this.rules = rules;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    @Override
    public Mono<List<Outbound>> apply(List<Inbound<OrderFulfilled>> events) {
        return rules.versionsOf(events.stream().map(Inbound::merchantId).toList()).flatMap(versions -> {
            // One row per order (an update joins each row once): the batch's earliest receipt and latest window end.
            Map<OrderKey, PaidOrders.Receipt> receipts = new LinkedHashMap<>();
            for (Inbound<OrderFulfilled> event : events) {
                EarningRules rules = versions.inForce(event.merchantId(), event.occurredAt()).rules();
                boolean fromReceipt = rules.returnWindowFrom() == EarningRules.WindowStart.RECEIPT;
                Instant closes = ReturnWindow.closesAfter(rules, event.occurredAt());
                if (closes != null || fromReceipt) {
                    OrderKey order = new OrderKey(event.merchantId(), event.payload().getOrderId());
                    receipts.merge(order, new PaidOrders.Receipt(order, event.occurredAt(), closes != null ? closes : event.occurredAt(),
                            fromReceipt), (first, next) -> new PaidOrders.Receipt(order, min(first.receivedAt(), next.receivedAt()),
                            max(first.windowCloses(), next.windowCloses()), first.replaces() || next.replaces()));
                }
            }
            return paidOrders.received(new ArrayList<>(receipts.values())).thenReturn(List.<Outbound>of());
        });
    }
}
