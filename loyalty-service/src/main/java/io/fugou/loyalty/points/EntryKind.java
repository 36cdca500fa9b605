package io.fugou.loyalty.points;

/** What a ledger entry records. Stored by its lower-case name. */
public enum EntryKind {
    /** Points earned, pending until the return window passes (or available at once when the window is 0). */
    EARNED,
    /** Pending points of one earning became available. */
    RELEASED,
    /** Points taken back because their order was refunded or cancelled. */
    REVERSED,
    /** A merchant's correction, with its reason. */
    ADJUSTED,
    /** Points spent on a reward (a confirmed redemption). */
    REDEEMED,
    /** Available points whose lots reached their expiry, oldest first. */
    EXPIRED;

    public String stored() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static EntryKind fromStored(String stored) {
        return valueOf(stored.toUpperCase(java.util.Locale.ROOT));
    }
}
