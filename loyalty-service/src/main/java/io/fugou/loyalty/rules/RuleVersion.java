package io.fugou.loyalty.rules;

import java.time.Instant;

/** One version of a merchant's rules and when it came into force; version 0 is the defaults of a merchant with none. */
public record RuleVersion(int version, Instant effectiveFrom, EarningRules rules) {

    public static final RuleVersion DEFAULTS = new RuleVersion(0, Instant.EPOCH, EarningRules.defaults());
}
