package io.fugou.campaign.issuing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fugou.campaign.campaigns.CampaignDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class AssignmentsTest {

    private static final CampaignDefinition AB_WITH_HOLDOUT = new CampaignDefinition("welcome",
            CampaignDefinition.Trigger.on(CampaignDefinition.TriggerType.MEMBER_ENROLLED), new CampaignDefinition.Audience(true, null, null, null, null, null, null),
            null, List.of(new CampaignDefinition.Variant("a", 70, null), new CampaignDefinition.Variant("b", 30, null)), 10, null, null);

    @Test
    void shouldHoldOutTheShareAskedForWithinStatisticalToleranceOverTenThousandMembers() {
        List<String> groups = assign("campaign-1");

        Map<String, Long> counts = groups.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        // 10,000 draws: the holdout's standard deviation is 30 (sqrt(10,000 x 0.1 x 0.9)); four of them either side.
        assertThat(counts.get("holdout")).isBetween(880L, 1120L);
        // Variants split the other 9,000 70:30 (standard deviation about 43).
        assertThat(counts.get("a")).isBetween(6300L - 180, 6300L + 180);
        assertThat(counts.get("b")).isBetween(2700L - 180, 2700L + 180);
    }

    @Test
    void shouldAssignEveryMemberTheSameGroupOnARerunAndIndependentlyPerCampaign() {
        assertThat(assign("campaign-1")).isEqualTo(assign("campaign-1"));
        List<String> first = assign("campaign-1");
        List<String> other = assign("campaign-2");
        long same = 0;
        for (int i = 0; i < first.size(); i++) {
            same += first.get(i).equals("holdout") && other.get(i).equals("holdout") ? 1 : 0;
        }
        // Independent campaigns hold out about 1% of members in both, not the same 10%.
        assertThat(same).isBetween(50L, 170L);
    }

    private static List<String> assign(String campaignId) {
        List<String> groups = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            Assignments.Group group = Assignments.groupOf("merchant-1", campaignId, "buyer-" + i, AB_WITH_HOLDOUT);
            groups.add(group.holdout() ? "holdout" : group.variant().code());
        }
        return groups;
    }
}
