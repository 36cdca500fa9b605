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

    /**
     * Each merchant of a batch once, for a batch statement's scope check ({@code where t.merchant_id = any(:merchantIds)}):
     * PostgreSQL tests {@code = any} of a bound array element by element for every row, so an array as long as the batch
     * (a merchant per row) costs rows times batch, and the same few merchants cost nothing.
     */
    public static String[] distinct(String[] merchantIds) {
        return java.util.Arrays.stream(merchantIds).distinct().toArray(String[]::new);
    }

    @Override
    public String toString() {
        return value;
    }
}
