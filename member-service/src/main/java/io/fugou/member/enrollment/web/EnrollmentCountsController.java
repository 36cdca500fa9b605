package io.fugou.member.enrollment.web;

import io.fugou.events.common.EnrollmentChannel;
import io.fugou.member.enrollment.Members;
import io.fugou.member.program.Programs;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.web.InvalidFieldException;
import io.swagger.v3.oas.annotations.Operation;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** How many joined, per day, channel, recruitment code and tier: where the merchant's members come from. */
@RestController
public class EnrollmentCountsController {

    private static final int LONGEST_RANGE_DAYS = 366;
    private static final Set<String> DIMENSIONS = Set.of("day", "channel", "recruitmentCode", "tier");

    /** One group: the dimensions asked for (the others null) and its enrollments. */
    public record CountRow(LocalDate day, EnrollmentChannel channel, String recruitmentCode, String tier, long members) {
    }

    public record Counts(LocalDate from, LocalDate to, String timeZone, List<String> groupBy, long total, List<CountRow> rows) {
    }

    private final Members members;
    private final Programs programs;
    private final Clock clock;

    public EnrollmentCountsController(Members members, Programs programs, Clock clock) {
        this.members = members;
        this.programs = programs;
        this.clock = clock;
    }

    @Operation(summary = "Enrollments from one local day to another (both included; the last 30 days by default), grouped by any of day, "
            + "channel, recruitmentCode and tier (the tier members are in now), in the merchant's time zone")
    @GetMapping("/api/v1/enrollments/counts")
    public Mono<Counts> counts(MerchantId merchant, @io.swagger.v3.oas.annotations.Parameter(example = "2027-01-01") @RequestParam(required = false) LocalDate from, @io.swagger.v3.oas.annotations.Parameter(example = "2027-01-31") @RequestParam(required = false) LocalDate to,
                               @io.swagger.v3.oas.annotations.Parameter(example = "channel") @RequestParam(required = false) List<String> groupBy) {
        List<String> dimensions = groupBy == null || groupBy.isEmpty() ? List.of("channel") : List.copyOf(new LinkedHashSet<>(groupBy));
        for (String dimension : dimensions) {
            if (!DIMENSIONS.contains(dimension)) {
                throw new InvalidFieldException("groupBy", "'" + dimension + "' is not one of " + DIMENSIONS);
            }
        }
        return programs.inForce(merchant, clock.instant()).flatMap(version -> {
            ZoneId zone = version.program().zone();
            LocalDate last = to == null ? LocalDate.now(clock.withZone(zone)) : to;
            LocalDate first = from == null ? last.minusDays(29) : from;
            if (first.isAfter(last)) {
                throw new InvalidFieldException("from", "must not be after to");
            }
            if (ChronoUnit.DAYS.between(first, last) >= LONGEST_RANGE_DAYS) {
                throw new InvalidFieldException("from", "the range may cover at most " + LONGEST_RANGE_DAYS + " days");
            }
            return members.counts(merchant, first, last, zone).collectList().map(counts -> {
                Map<CountRow, Long> grouped = new LinkedHashMap<>();
                long total = 0;
                for (Members.Count count : counts) {
                    CountRow key = new CountRow(dimensions.contains("day") ? count.day() : null, dimensions.contains("channel") ? count.channel() : null,
                            dimensions.contains("recruitmentCode") ? count.recruitmentCode() : null, dimensions.contains("tier") ? count.tier() : null, 0);
                    grouped.merge(key, count.members(), Long::sum);
                    total += count.members();
                }
                List<CountRow> rows = new ArrayList<>();
                grouped.forEach((key, sum) -> rows.add(new CountRow(key.day(), key.channel(), key.recruitmentCode(), key.tier(), sum)));
                // Days in order when grouped by day; within a day (or without days) the largest groups first.
                rows.sort(Comparator.comparing(CountRow::day, Comparator.nullsFirst(Comparator.naturalOrder()))
                        .thenComparing(Comparator.comparingLong(CountRow::members).reversed()));
                return new Counts(first, last, zone.getId(), dimensions, total, rows);
            });
        });
    }
}
