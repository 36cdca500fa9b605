package io.fugou.shop.world;

import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * A coupon campaign-service put in a buyer's wallet, as the shop learns it from {@code fugou.campaigns.v1}: its whole terms,
 * as {@code CouponIssued} carries them. Exactly one of {@code amountOffMinor} and {@code percentOff} is set for a discount
 * coupon; neither for free shipping (which the simulated buyers do not look for).
 *
 * @param maxDiscountMinor the most a percentage takes off; null: no cap
 * @param categories       the order needs a line in one of these (or below one); empty: any order
 */
public record HeldCoupon(String merchantId, String customerId, String code, Long amountOffMinor, Integer percentOff, Long maxDiscountMinor,
                         long minimumSpendMinor, List<String> categories, Instant validFrom, Instant validUntil) {

    public HeldCoupon {
        categories = List.copyOf(categories);
    }

    /** A coupon for any order, without a cap. */
    public HeldCoupon(String merchantId, String customerId, String code, Long amountOffMinor, Integer percentOff, long minimumSpendMinor,
                      Instant validFrom, Instant validUntil) {
        this(merchantId, customerId, code, amountOffMinor, percentOff, null, minimumSpendMinor, List.of(), validFrom, validUntil);
    }

    /** Usable on an order of {@code subtotalMinor} with lines in {@code lineCategories}: campaign-service's own check's rules. */
    boolean usableAt(Instant at, long subtotalMinor, Collection<String> lineCategories) {
        return !at.isBefore(validFrom) && (validUntil == null || at.isBefore(validUntil)) && subtotalMinor >= minimumSpendMinor
                && (amountOffMinor != null || percentOff != null) && discountOn(subtotalMinor) > 0
                && (categories.isEmpty() || lineCategories.stream().anyMatch(line -> categories.stream().anyMatch(allowed -> covers(allowed, line))));
    }

    /** 'drinks' covers 'drinks' and 'drinks/beer', as the platform's catalogue rule. */
    private static boolean covers(String allowed, String category) {
        return category != null && (category.equals(allowed) || category.startsWith(allowed + "/"));
    }

    /** What it takes off {@code subtotalMinor}: never more than the subtotal; a percentage never more than its cap. */
    long discountOn(long subtotalMinor) {
        long discount = amountOffMinor != null ? amountOffMinor : subtotalMinor * percentOff / 100;
        if (percentOff != null && maxDiscountMinor != null) { // the cap is a percentage's, as campaign-service's check reads it
            discount = Math.min(discount, maxDiscountMinor);
        }
        return Math.min(discount, subtotalMinor);
    }
}
