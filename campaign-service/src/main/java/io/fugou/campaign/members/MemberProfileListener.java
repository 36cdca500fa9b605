package io.fugou.campaign.members;

import io.fugou.events.MemberKey;
import io.fugou.events.members.MemberProfile;
import io.fugou.platform.kafka.InvalidEventException;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * member-service's compacted profile topic, for birthday campaigns: each member's birthday as of their latest profile; a
 * tombstone (the member was erased) removes it. A plain listener rather than an event pipeline: a profile is the member's
 * state, not an event (no event id, no sequence), and storing the latest by its own time is idempotent, so a redelivered
 * or replayed profile changes nothing. Failures follow the platform's handler: a database outage waits, a record that
 * can never be stored becomes a dead letter.
 */
@Component
class MemberProfileListener {

    private static final Duration STORING = Duration.ofSeconds(30);

    private final MemberViews members;

    MemberProfileListener(MemberViews members) {
        this.members = members;
    }

    @KafkaListener(id = "campaign-member-profiles", topics = "#{T(io.fugou.events.Topics).MEMBER_PROFILES.name()}",
            groupId = "campaign-service-profiles")
    void onProfile(ConsumerRecord<String, MemberProfile> record) {
        MemberKey member;
        try {
            member = MemberKey.parse(record.key());
        } catch (IllegalArgumentException malformed) {
            throw new InvalidEventException(malformed.getMessage(), malformed);
        }
        MemberProfile profile = record.value();
        if (profile == null) {
            members.birthday(member, null, Instant.ofEpochMilli(record.timestamp())).block(STORING);
            return;
        }
        if (!profile.getMerchantId().equals(member.merchantId()) || !profile.getCustomerId().equals(member.customerId())) {
            throw new InvalidEventException("the profile of " + profile.getMerchantId() + ":" + profile.getCustomerId()
                    + " was keyed " + record.key(), null);
        }
        members.birthday(member, profile.getBirthday(), profile.getUpdatedAt()).block(STORING);
    }
}
