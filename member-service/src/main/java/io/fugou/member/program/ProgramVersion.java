package io.fugou.member.program;

import java.time.Instant;

/** One version of a merchant's programme and when it came into force; version 0 is the defaults of a merchant with none. */
public record ProgramVersion(int version, Instant effectiveFrom, MembershipProgram program) {

    public static final ProgramVersion DEFAULTS = new ProgramVersion(0, Instant.EPOCH, MembershipProgram.defaults());

    /** The id events and members carry for an automatic enrollment by this version's rule. */
    public String autoEnrollmentRuleId() {
        return "auto-enrollment-v" + version;
    }
}
