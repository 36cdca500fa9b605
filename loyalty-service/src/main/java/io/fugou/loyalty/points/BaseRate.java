package io.fugou.loyalty.points;

/**
 * The base earning rate until merchants configure earning rules (the loyalty issue): one point per
 * 100 minor units paid (one point per yuan), rounded down.
 */
public final class BaseRate {

    public static final String RULE_ID = "base-rate";

    private BaseRate() {
    }

    public static long pointsFor(long paidMinor) {
        return Math.max(0, paidMinor) / 100;
    }
}
