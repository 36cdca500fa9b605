package io.fugou.testsupport;

import io.fugou.events.common.Money;
import io.fugou.events.orders.OrderCancelled;
import io.fugou.events.orders.OrderEvent;
import io.fugou.events.orders.OrderLine;
import io.fugou.events.orders.OrderPaid;
import io.fugou.events.orders.OrderRefunded;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

/** Valid order events in one call; change what a test cares about with the builders. */
public final class OrderEventMother {

    public static final String CURRENCY = "CNY";

    private OrderEventMother() {
    }

    public static Money yuan(long minorUnits) {
        return Money.newBuilder().setAmountMinor(minorUnits).setCurrency(CURRENCY).build();
    }

    public static OrderLine line(String sku, String category, int quantity, long unitPriceMinor) {
        return OrderLine.newBuilder().setSku(sku).setCategory(category).setQuantity(quantity).setUnitPrice(yuan(unitPriceMinor)).build();
    }

    /** A paid order of two bottles at 129.00. */
    public static OrderEvent paid(String merchantId, String customerId, String orderId) {
        return paid(merchantId, customerId, orderId, List.of(line("BEER-101", "drinks/beer", 2, 12_900)));
    }

    public static OrderEvent paid(String merchantId, String customerId, String orderId, List<OrderLine> lines) {
        long total = lines.stream().mapToLong(l -> l.getUnitPrice().getAmountMinor() * l.getQuantity()).sum();
        return envelope(merchantId, customerId).setPayload(OrderPaid.newBuilder()
                .setOrderId(orderId)
                .setLines(lines)
                .setTotal(yuan(total))
                .setSalesChannel("app")
                .build()).build();
    }

    public static OrderEvent refunded(String merchantId, String customerId, String orderId, long amountMinor) {
        return envelope(merchantId, customerId).setPayload(OrderRefunded.newBuilder()
                .setOrderId(orderId)
                .setRefundId(UUID.randomUUID().toString())
                .setAmount(yuan(amountMinor))
                .build()).build();
    }

    public static OrderEvent cancelled(String merchantId, String customerId, String orderId) {
        return envelope(merchantId, customerId).setPayload(OrderCancelled.newBuilder().setOrderId(orderId).build()).build();
    }

    public static OrderEvent.Builder envelope(String merchantId, String customerId) {
        return OrderEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                .setMerchantId(merchantId)
                .setCustomerId(customerId);
    }
}
