package io.fugou.platform.merchant;

import java.util.regex.Pattern;

/**
 * The merchant (tenant) a request acts for, taken from the bearer token's {@code merchant_id}
 * claim. Declare it as a handler parameter and pass it to every query: no handler can then read
 * another merchant's data by forgetting a filter.
 */
public record MerchantId(String value) {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    public MerchantId {
        if (value == null || !VALID.matcher(value).matches()) {
            throw new IllegalArgumentException("a merchant id is 1-64 letters, digits, '_', '.' or '-' but was '" + value + "'");
        }
    }

    public static boolean isValid(String value) {
        return value != null && VALID.matcher(value).matches();
    }

    @Override
    public String toString() {
        return value;
    }
}
