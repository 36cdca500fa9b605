package io.fugou.loyalty.orders.web;

import io.fugou.loyalty.orders.EarnedLine;
import io.fugou.loyalty.orders.PaidOrder;
import java.time.Instant;
import java.util.List;

/** A paid order as the API shows it, with what it earned and what refunds took back. */
public record PaidOrderResponse(String orderId, String customerId, Money total, int lineCount, Instant paidAt, int rulesVersion,
                                long points, long reversedPoints, boolean pending, Instant availableAt, List<LineResponse> lines) {

    public record Money(long amountMinor, String currency) {
    }

    public record LineResponse(String lineId, String sku, int quantity, long paidAmountMinor, long points, long refundedAmountMinor,
                               int refundedQuantity, long reversedPoints) {
    }

    static PaidOrderResponse from(PaidOrder order) {
        return new PaidOrderResponse(order.orderId(), order.customerId(), new Money(order.totalMinor(), order.currency()),
                order.lineCount(), order.paidAt(), order.rulesVersion(), order.points(), order.reversedPoints(), !order.released(),
                order.availableAt(), order.lines().stream().map(PaidOrderResponse::line).toList());
    }

    private static LineResponse line(EarnedLine line) {
        return new LineResponse(line.key(), line.sku(), line.quantity(), line.paidMinor(), line.points(), line.refundedMinor(),
                line.refundedQuantity(), line.reversed());
    }
}
