package io.fugou.analytics.repurchase.web;

import io.fugou.platform.web.InvalidFieldException;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;

/** The months a request asks for ({@code from} and {@code to}, by default the twelve up to {@code current}), checked. */
record MonthRange(YearMonth first, YearMonth last) {

    /** The most months one request may span. */
    static final int MAX_MONTHS = 120;

    static MonthRange of(String from, String to, YearMonth current) {
        YearMonth last = to == null ? current : parse("to", to);
        YearMonth first = from == null ? last.minusMonths(11) : parse("from", from);
        if (first.isAfter(last)) {
            throw new InvalidFieldException("from", "must not be after to (" + last + ")");
        }
        if (first.plusMonths(MAX_MONTHS - 1).isBefore(last)) {
            throw new InvalidFieldException("from", "must be at most " + MAX_MONTHS + " months before to");
        }
        return new MonthRange(first, last);
    }

    private static YearMonth parse(String field, String value) {
        try {
            return YearMonth.parse(value);
        } catch (DateTimeParseException e) {
            throw new InvalidFieldException(field, "must be a month like 2026-11, was '" + value + "'");
        }
    }
}
