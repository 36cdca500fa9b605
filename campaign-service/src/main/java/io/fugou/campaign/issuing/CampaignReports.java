package io.fugou.campaign.issuing;

import io.fugou.platform.merchant.MerchantId;
import java.util.List;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** What a campaign did, per group, variant and reason: the raw counts analytics measures uplift from. */
@Component
public class CampaignReports {

    public record Row(String group, String variant, String suppressionReason, long members, long coupons) {
    }

    public record Report(String campaignId, long assigned, List<Row> rows) {
    }

    private final DatabaseClient db;

    public CampaignReports(DatabaseClient db) {
        this.db = db;
    }

    public Mono<Report> of(MerchantId merchant, String campaignId) {
        return db.sql("""
                        select a.assignment_group, a.variant, a.suppression_reason, count(*) as members,
                               (select count(*) from coupon c where c.merchant_id = a.merchant_id and c.campaign_id = a.campaign_id
                                  and a.assignment_group = 'TREATMENT' and c.variant is not distinct from a.variant) as coupons
                        from assignment a where a.merchant_id = :merchant and a.campaign_id = :campaign
                        group by a.merchant_id, a.campaign_id, a.assignment_group, a.variant, a.suppression_reason
                        order by a.assignment_group, a.variant""")
                .bind("merchant", merchant.value()).bind("campaign", campaignId)
                .map((row, meta) -> new Row(row.get("assignment_group", String.class), row.get("variant", String.class),
                        row.get("suppression_reason", String.class), ((Number) row.get("members")).longValue(), ((Number) row.get("coupons")).longValue()))
                .all().collectList()
                .map(rows -> new Report(campaignId, rows.stream().mapToLong(Row::members).sum(), rows));
    }
}
