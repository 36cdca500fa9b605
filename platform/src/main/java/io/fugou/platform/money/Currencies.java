package io.fugou.platform.money;

import java.util.Currency;

/** Which currency codes fugou accepts with an amount: ISO-4217, as the JDK knows them. */
public final class Currencies {

    private Currencies() {
    }

    public static boolean isIso4217(String code) {
        if (code == null || !code.matches("[A-Z]{3}")) {
            return false;
        }
        try {
            Currency.getInstance(code);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
