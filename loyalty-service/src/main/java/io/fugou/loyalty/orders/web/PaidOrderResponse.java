package io.fugou.loyalty.orders.web;

import io.fugou.loyalty.orders.PaidOrder;
import java.time.Instant;

/** A paid order as the API shows it. */
public record PaidOrderResponse(String orderId, String customerId, Money total, int lineCount, Instant paidAt) {

    public record Money(long amountMinor, String currency) {
    }

    static PaidOrderResponse from(PaidOrder order) {
        return new PaidOrderResponse(order.orderId(), order.customerId(), new Money(order.totalMinor(), order.currency()),
                order.lineCount(), order.paidAt());
    }
}
