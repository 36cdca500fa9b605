package io.fugou.loyalty.orders;

import java.time.Instant;

/** An order as loyalty-service knows it once the shop reported it paid. Money in minor units. */
public record PaidOrder(String merchantId, String orderId, String customerId, String eventId,
                        long totalMinor, String currency, int lineCount, Instant paidAt) {

    public PaidOrder {
        if (currency == null || !currency.matches("[A-Z]{3}")) {
            throw new IllegalArgumentException("currency must be an ISO-4217 code such as CNY but was '" + currency + "'");
        }
        if (totalMinor < 0) {
            throw new IllegalArgumentException("total must not be negative but was " + totalMinor);
        }
        if (orderId == null || orderId.isBlank()) {
            throw new IllegalArgumentException("orderId must not be blank");
        }
    }
}
