package io.fugou.analytics.repurchase;

import io.fugou.analytics.state.MerchantFigures;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The merchant's members now, by tier, by how they joined and by recruitment code; its buyers by lifecycle stage; and its points
 * (earned, redeemed, expired, reversed and adjusted in total; the balance and pending points members hold: the liability).
 */
public record MembershipFigures(long members, Map<String, Long> byTier, Map<String, Long> byChannel, Map<String, Long> byRecruitmentCode,
                                Map<String, Long> stages, Map<String, Long> points) {

    public static MembershipFigures of(MerchantFigures figures) {
        Map<String, Long> members = figures == null ? Map.of() : figures.getFigures().getOrDefault(Contributions.MEMBERS, Map.of());
        Map<String, Long> points = new LinkedHashMap<>();
        Map<String, Long> totals = figures == null ? Map.of() : figures.getFigures().getOrDefault(Contributions.POINTS, Map.of());
        for (String metric : new String[] {"earned", "redeemed", "expired", "reversed", "adjusted", "balance", "pending"}) {
            points.put(metric, totals.getOrDefault(metric, 0L));
        }
        return new MembershipFigures(members.getOrDefault(Contributions.MEMBERS, 0L), RepurchaseFigure.byCount(members, "tier."),
                RepurchaseFigure.byCount(members, "channel."), RepurchaseFigure.byCount(members, "code."), Headline.stages(figures), points);
    }

    /** Enrollments per day from {@code from} to {@code to}, every day listed. */
    public static Map<String, Long> enrollments(MerchantFigures figures, LocalDate from, LocalDate to) {
        Map<String, Long> days = figures == null ? Map.of() : figures.getFigures().getOrDefault(Contributions.ENROLLMENTS, Map.of());
        Map<String, Long> result = new LinkedHashMap<>();
        for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) {
            result.put(day.toString(), days.getOrDefault(day.toString(), 0L));
        }
        return result;
    }
}
