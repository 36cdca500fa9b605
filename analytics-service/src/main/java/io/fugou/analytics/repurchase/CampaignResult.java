package io.fugou.analytics.repurchase;

import io.fugou.analytics.state.MerchantFigures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A campaign's results against its holdout: per arm (each treatment variant, the holdout, and those suppressed), the buyers
 * assigned, the coupons issued and redeemed, and the buyers who converted (paid a counted order within the attribution window
 * of their assignment); for each variant, its conversion rate's difference from the holdout's, with a 95% confidence interval.
 */
public record CampaignResult(String campaignId, List<Arm> arms) {

    /**
     * @param group          TREATMENT, HOLDOUT or SUPPRESSED
     * @param variant        the treatment's variant (null for the others)
     * @param conversionRate converted / assigned (null with no one assigned)
     * @param uplift         a treatment variant's difference from the holdout (null for the others, or while either is empty)
     */
    public record Arm(String group, String variant, long assigned, long couponsIssued, long couponsRedeemed, long converted,
                      Double conversionRate, Uplift uplift) {
    }

    /**
     * The difference of two conversion rates (treatment less holdout), with the normal-approximation (Wald) 95% confidence
     * interval of a difference of independent proportions; significant when the interval leaves out zero.
     */
    public record Uplift(double difference, double low, double high, boolean significant) {

        /** 95%, two-sided. */
        static final double Z = 1.959963984540054;

        static Uplift of(long converted, long assigned, long holdoutConverted, long holdoutAssigned) {
            if (assigned == 0 || holdoutAssigned == 0) {
                return null;
            }
            double treated = (double) converted / assigned;
            double held = (double) holdoutConverted / holdoutAssigned;
            double error = Math.sqrt(treated * (1 - treated) / assigned + held * (1 - held) / holdoutAssigned);
            double difference = treated - held;
            double low = difference - Z * error;
            double high = difference + Z * error;
            return new Uplift(difference, low, high, low > 0 || high < 0);
        }
    }

    /** The campaign's results; null when no buyer was assigned to it. */
    public static CampaignResult of(String campaignId, MerchantFigures figures) {
        Map<String, Long> metrics = figures == null ? null : figures.getFigures().get(Contributions.CAMPAIGN + campaignId);
        if (metrics == null) {
            return null;
        }
        TreeSet<String> arms = new TreeSet<>();
        metrics.keySet().forEach(metric -> arms.add(metric.substring(metric.indexOf('.') + 1)));
        long holdoutAssigned = metrics.getOrDefault("assigned.HOLDOUT", 0L);
        long holdoutConverted = metrics.getOrDefault("converted.HOLDOUT", 0L);
        List<Arm> result = new ArrayList<>();
        for (String arm : arms) {
            int dot = arm.indexOf('.');
            String group = dot < 0 ? arm : arm.substring(0, dot);
            long assigned = metrics.getOrDefault("assigned." + arm, 0L);
            long converted = metrics.getOrDefault("converted." + arm, 0L);
            result.add(new Arm(group, dot < 0 ? null : arm.substring(dot + 1), assigned, metrics.getOrDefault("coupons." + arm, 0L),
                    metrics.getOrDefault("redeemed." + arm, 0L), converted, assigned == 0 ? null : (double) converted / assigned,
                    group.equals("TREATMENT") ? Uplift.of(converted, assigned, holdoutConverted, holdoutAssigned) : null));
        }
        return new CampaignResult(campaignId, result);
    }

    /** The merchant's campaigns with results, by id. */
    public static List<String> campaigns(MerchantFigures figures) {
        if (figures == null) {
            return List.of();
        }
        return figures.getFigures().keySet().stream().filter(figure -> figure.startsWith(Contributions.CAMPAIGN))
                .map(figure -> figure.substring(Contributions.CAMPAIGN.length())).sorted().toList();
    }
}
