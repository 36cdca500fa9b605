package io.fugou.loyalty.orders;

/**
 * One line of a paid order as the ledger keeps it: what was paid for it, what it earned, and how much
 * of it refunds have returned and taken back so far.
 *
 * @param key the shop's line id, or the SKU for a shop that sends none
 * @param sku the line's SKU, which a refund without line ids names
 */
public record EarnedLine(String key, String sku, int quantity, long paidMinor, long points, long refundedMinor, int refundedQuantity, long reversed) {

    /** After a refund of {@code amount} and {@code units} of this line: the points taken back in all are kept in {@code reversed}. */
    EarnedLine refund(long amount, int units, boolean whole) {
        long refunded = Math.min(paidMinor, refundedMinor + Math.max(0, amount));
        int refundedUnits = Math.min(quantity, refundedQuantity + Math.max(0, units));
        long target;
        if (whole || refunded >= paidMinor || (quantity > 0 && refundedUnits >= quantity)) {
            target = points;
        } else {
            // The larger of the share of the money and the share of the units returned, rounded down until the last.
            long byMoney = paidMinor == 0 ? 0 : Math.multiplyExact(points, refunded) / paidMinor;
            long byUnits = quantity == 0 ? 0 : Math.multiplyExact(points, (long) refundedUnits) / quantity;
            target = Math.max(byMoney, byUnits);
        }
        return new EarnedLine(key, sku, quantity, paidMinor, points, whole ? paidMinor : refunded, whole ? quantity : refundedUnits,
                Math.max(reversed, target));
    }
}
