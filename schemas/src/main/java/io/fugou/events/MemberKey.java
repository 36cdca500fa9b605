package io.fugou.events;

import java.util.Objects;

/**
 * The key of every member-scoped record: {@code merchantId:customerId}. All member-scoped topics
 * have the same partition count, so one member's events stay in order across topics.
 */
public record MemberKey(String merchantId, String customerId) {

    private static final char SEPARATOR = ':';

    public MemberKey {
        Objects.requireNonNull(merchantId, "merchantId");
        Objects.requireNonNull(customerId, "customerId");
        if (merchantId.isBlank() || merchantId.indexOf(SEPARATOR) >= 0) {
            throw new IllegalArgumentException("merchantId must be non-blank and must not contain ':' but was '" + merchantId + "'");
        }
        if (customerId.isBlank()) {
            throw new IllegalArgumentException("customerId must be non-blank");
        }
    }

    /** Parses a key; the customer id may itself contain ':' (only the first one separates). */
    public static MemberKey parse(String key) {
        int at = key == null ? -1 : key.indexOf(SEPARATOR);
        if (at <= 0 || at == key.length() - 1) {
            throw new IllegalArgumentException("a member key looks like merchantId:customerId but was '" + key + "'");
        }
        return new MemberKey(key.substring(0, at), key.substring(at + 1));
    }

    @Override
    public String toString() {
        return merchantId + SEPARATOR + customerId;
    }
}
