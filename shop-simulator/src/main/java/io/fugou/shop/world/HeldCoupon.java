package io.fugou.shop.world;

import java.time.Instant;

/**
 * A coupon campaign-service put in a buyer's wallet, as the shop learns it from {@code fugou.campaigns.v1}.
 * Exactly one of {@code amountOffMinor} and {@code percentOff} is set for a discount coupon; neither for free shipping.
 */
public record HeldCoupon(String merchantId, String customerId, String code, Long amountOffMinor, Integer percentOff, long minimumSpendMinor,
                         Instant validFrom, Instant validUntil) {

    boolean usableAt(Instant at, long subtotalMinor) {
        return !at.isBefore(validFrom) && (validUntil == null || at.isBefore(validUntil)) && subtotalMinor >= minimumSpendMinor
                && (amountOffMinor != null || percentOff != null) && discountOn(subtotalMinor) > 0;
    }

    /**
     * What it takes off {@code subtotalMinor}: never more than the subtotal; percentages capped at 50 yuan, the largest
     * cap of the simulated campaigns (CouponIssued does not carry the campaign's cap).
     */
    long discountOn(long subtotalMinor) {
        long discount = amountOffMinor != null ? amountOffMinor : Math.min(subtotalMinor * percentOff / 100, 5_000);
        return Math.min(discount, subtotalMinor);
    }
}
