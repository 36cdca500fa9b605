package io.fugou.loyalty.points;

/**
 * A member's points: {@code available} to spend, {@code pending} (earned, the return window still open),
 * and {@code lifetime} (earned, less what refunds and corrections took back).
 */
public record Balance(long available, long pending, long lifetime) {

    public static final Balance NONE = new Balance(0, 0, 0);
}
