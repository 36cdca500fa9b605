package io.fugou.campaign.campaigns;

import java.time.Instant;

/** A campaign: its id, where it stands, and its definition. */
public record Campaign(String campaignId, Status status, CampaignDefinition definition, Instant createdAt, Instant updatedAt) {

    /** DRAFT until activated; ACTIVE and PAUSED take turns; ENDED for good. Only an ACTIVE campaign rewards anyone. */
    public enum Status { DRAFT, ACTIVE, PAUSED, ENDED }

    /** Whether it rewards a trigger at that time: active, and within its schedule. */
    public boolean runsAt(Instant at) {
        CampaignDefinition.Schedule schedule = definition.schedule();
        return status == Status.ACTIVE && (schedule == null || ((schedule.startsAt() == null || !at.isBefore(schedule.startsAt()))
                && (schedule.endsAt() == null || at.isBefore(schedule.endsAt()))));
    }
}
