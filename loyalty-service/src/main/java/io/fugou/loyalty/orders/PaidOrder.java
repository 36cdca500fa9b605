package io.fugou.loyalty.orders;

import io.fugou.events.MemberKey;
import io.fugou.platform.money.Currencies;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An order as loyalty-service knows it once the shop reported it paid, with what it earned. Money in
 * minor units.
 *
 * @param availableAt when its pending points become available; null when they were available at once
 */
public record PaidOrder(String merchantId, String orderId, String customerId, String eventId, long totalMinor, String currency,
                        Instant paidAt, int rulesVersion, long points, long reversedPoints, Instant availableAt, boolean released,
                        List<EarnedLine> lines) {

    public PaidOrder {
        if (!Currencies.isIso4217(currency)) {
            throw new IllegalArgumentException("currency must be an ISO-4217 code such as CNY but was '" + currency + "'");
        }
        if (totalMinor < 0) {
            throw new IllegalArgumentException("total must not be negative but was " + totalMinor);
        }
        if (orderId == null || orderId.isBlank()) {
            throw new IllegalArgumentException("orderId must not be blank");
        }
        lines = List.copyOf(Objects.requireNonNull(lines, "lines"));
    }

    public MemberKey member() {
        return new MemberKey(merchantId, customerId);
    }

    public int lineCount() {
        return lines.size();
    }
}
