package io.fugou.campaign.contact;

import io.fugou.platform.web.InvalidFieldException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * One cap on contacting a member across all of a merchant's campaigns (避免过度营销): at most {@code maxContacts} in any
 * {@code windowHours}, at least {@code minGapMinutes} apart, and quiet hours from {@code quietFrom} to {@code quietTo} in
 * {@code timeZone}, when a message waits for their end rather than being dropped. A null limit does not limit.
 */
public record ContactPolicy(Integer maxContacts, Integer windowHours, Integer minGapMinutes, LocalTime quietFrom, LocalTime quietTo, String timeZone) {

    public static final ContactPolicy NONE = new ContactPolicy(null, null, null, null, null, "Asia/Shanghai");

    public ContactPolicy {
        timeZone = timeZone == null ? "Asia/Shanghai" : timeZone;
    }

    public ContactPolicy validated() {
        if ((maxContacts == null) != (windowHours == null)) {
            throw new InvalidFieldException("windowHours", "give maxContacts and windowHours together");
        }
        if (maxContacts != null && (maxContacts < 1 || windowHours < 1 || windowHours > 24 * 90)) {
            throw new InvalidFieldException(maxContacts < 1 ? "maxContacts" : "windowHours", "must be 1 or more (a window of at most 90 days)");
        }
        if (minGapMinutes != null && (minGapMinutes < 1 || minGapMinutes > 60 * 24 * 30)) {
            throw new InvalidFieldException("minGapMinutes", "must be 1 minute to 30 days");
        }
        if ((quietFrom == null) != (quietTo == null) || (quietFrom != null && quietFrom.equals(quietTo))) {
            throw new InvalidFieldException("quietTo", "give quietFrom and quietTo together, and not the same time");
        }
        if (!ZoneId.getAvailableZoneIds().contains(timeZone)) {
            throw new InvalidFieldException("timeZone", "must be a time zone id such as Asia/Shanghai");
        }
        return this;
    }

    /** When a message due at {@code at} may go: {@code at}, or the end of the quiet hours it falls in. */
    public Instant sendableAt(Instant at) {
        if (quietFrom == null) {
            return at;
        }
        ZonedDateTime local = at.atZone(ZoneId.of(timeZone));
        LocalTime time = local.toLocalTime();
        boolean overnight = quietFrom.isAfter(quietTo); // 22:00 to 08:00
        boolean quiet = overnight ? !time.isBefore(quietFrom) || time.isBefore(quietTo) : !time.isBefore(quietFrom) && time.isBefore(quietTo);
        if (!quiet) {
            return at;
        }
        LocalDate day = overnight && !time.isBefore(quietFrom) ? local.toLocalDate().plusDays(1) : local.toLocalDate();
        return day.atTime(quietTo).atZone(ZoneId.of(timeZone)).toInstant();
    }
}
