package io.fugou.loyalty.rules;

import java.time.Instant;
import java.time.LocalDate;

/**
 * When earned points leave pending: the return window covers the day of payment (or of receipt) and
 * then {@code returnWindowDays} whole days, in the merchant's zone; the points become available at the
 * start of the next day, when the daily release runs. A window of 0 makes them available at once.
 */
public final class ReturnWindow {

    private ReturnWindow() {
    }

    /** The end of the window opened at {@code from}, or null when the rules have no window. */
    public static Instant closesAfter(EarningRules rules, Instant from) {
        if (rules.returnWindowDays() == 0) {
            return null;
        }
        return endOfDayAfter(rules, from, rules.returnWindowDays());
    }

    /**
     * When the points of an order paid at {@code paidAt} leave pending, as known at payment: the window's end
     * counted from payment, or, for a merchant counting from receipt, a provisional end after the wait for a
     * receipt (the first {@code OrderFulfilled} replaces it). Null when available at once.
     */
    public static Instant closesAfterPayment(EarningRules rules, Instant paidAt) {
        if (rules.returnWindowFrom() == EarningRules.WindowStart.RECEIPT) {
            return endOfDayAfter(rules, paidAt, rules.receiptWaitDays() + rules.returnWindowDays());
        }
        return closesAfter(rules, paidAt);
    }

    /** When points made available at {@code from} expire, or null when the rules let them live forever. */
    public static Instant pointsExpireAfter(EarningRules rules, Instant from) {
        return rules.pointsExpireAfterDays() == null ? null : endOfDayAfter(rules, from, rules.pointsExpireAfterDays());
    }

    /** The end of the merchant's day {@code days} days after the one {@code from} falls on. */
    public static Instant endOfDayAfter(EarningRules rules, Instant from, int days) {
        LocalDate day = from.atZone(rules.zone()).toLocalDate();
        return day.plusDays(days + 1L).atStartOfDay(rules.zone()).toInstant();
    }
}
