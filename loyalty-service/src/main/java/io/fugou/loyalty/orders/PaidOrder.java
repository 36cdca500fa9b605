package io.fugou.loyalty.orders;

import java.time.Instant;

/** An order as loyalty-service knows it once the shop reported it paid. Money in minor units. */
public record PaidOrder(String merchantId, String orderId, String customerId, String eventId,
                        long totalMinor, String currency, int lineCount, Instant paidAt) {
}
