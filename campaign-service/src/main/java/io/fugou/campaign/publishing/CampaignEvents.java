package io.fugou.campaign.publishing;

import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.events.campaigns.CampaignEvent;
import io.fugou.platform.pipeline.Envelopes;
import io.fugou.platform.pipeline.MemberSequences;
import io.fugou.platform.pipeline.Outbound;
import io.fugou.platform.pipeline.Outbox;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * campaign-service's events on {@code fugou.campaigns.v1}: numbered per member in the order the database applied them and
 * put in the outbox in the caller's transaction; an event's id comes from what it is about, so it is the same if rebuilt.
 */
@Component
public class CampaignEvents {

    /** An event to publish about a member; {@code fact} names it uniquely among the member's campaign events. */
    public record Pending(MemberKey member, String fact, Instant at, SpecificRecord payload) {
    }

    private final MemberSequences sequences;
    private final Outbox outbox;

    public CampaignEvents(MemberSequences sequences, Outbox outbox) {
        this.sequences = sequences;
        this.outbox = outbox;
    }

    public Mono<Void> publish(List<Pending> pending) {
        if (pending.isEmpty()) {
            return Mono.empty();
        }
        return sequences.next(Topics.CAMPAIGNS.name(), pending.stream().map(Pending::member).toList()).flatMap(numbers -> {
            List<Outbound> events = new ArrayList<>();
            for (int i = 0; i < pending.size(); i++) {
                Pending one = pending.get(i);
                events.add(Outbound.of(Topics.CAMPAIGNS, CampaignEvent.newBuilder()
                        .setEventId(Envelopes.eventId(Topics.CAMPAIGNS, one.member() + "/" + one.fact()))
                        .setOccurredAt(one.at())
                        .setMerchantId(one.member().merchantId())
                        .setCustomerId(one.member().customerId())
                        .setSequence(numbers.get(i))
                        .setPayload(one.payload())
                        .build()));
            }
            return outbox.append(events);
        });
    }
}
