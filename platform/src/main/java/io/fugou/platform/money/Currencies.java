package io.fugou.platform.money;

import java.util.Currency;
import java.util.Set;
import java.util.stream.Collectors;

/** Which currency codes fugou accepts with an amount: ISO-4217, as the JDK knows them. */
public final class Currencies {

    /** Looked up per order and per money field: a set, not a regular expression and an exception. */
    private static final Set<String> ISO_4217 = Currency.getAvailableCurrencies().stream().map(Currency::getCurrencyCode)
            .collect(Collectors.toUnmodifiableSet());

    private Currencies() {
    }

    public static boolean isIso4217(String code) {
        return code != null && ISO_4217.contains(code);
    }
}
