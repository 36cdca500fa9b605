package io.fugou.campaign.campaigns;

import io.fugou.events.members.MembershipProgram;
import io.fugou.platform.kafka.InvalidEventException;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.web.InvalidFieldException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * The tiers of each merchant's membership programme, as member-service publishes them ({@code fugou.membership-programs.v1},
 * compacted, keyed by merchant), so a campaign naming a tier the programme does not have is refused. A merchant whose
 * programme was never published has member-service's default ladder, one tier: {@value #DEFAULT_TIER}. Read by a plain
 * listener: the value is the merchant's current state, stored when newer than the one held, so a redelivery changes nothing.
 */
@Component
public class ProgramTiers {

    /** The one tier of member-service's default programme. */
    static final String DEFAULT_TIER = "regular";

    private final DatabaseClient db;

    ProgramTiers(DatabaseClient db) {
        this.db = db;
    }

    @KafkaListener(id = "campaign-membership-programs", topics = "#{T(io.fugou.events.Topics).MEMBERSHIP_PROGRAMS.name()}",
            groupId = "campaign-service-programs")
    void onProgram(ConsumerRecord<String, MembershipProgram> record) {
        MembershipProgram program = record.value();
        if (program == null) {
            return; // a programme is never deleted; nothing to forget
        }
        if (!program.getMerchantId().equals(record.key()) || !MerchantId.isValid(record.key())) {
            throw new InvalidEventException("the programme of " + program.getMerchantId() + " was keyed " + record.key(), null);
        }
        db.sql("""
                        insert into program_tiers (merchant_id, tiers, updated_at) values (:merchant, :tiers, :at)
                        on conflict (merchant_id) do update set tiers = excluded.tiers, updated_at = excluded.updated_at
                        where program_tiers.updated_at <= excluded.updated_at""")
                .bind("merchant", program.getMerchantId()).bind("tiers", program.getTiers().toArray(String[]::new))
                .bind("at", OffsetDateTime.ofInstant(program.getUpdatedAt(), ZoneOffset.UTC))
                .then().block(Duration.ofSeconds(30));
    }

    /** The merchant's tier codes. */
    public Mono<List<String>> of(MerchantId merchant) {
        return db.sql("select tiers from program_tiers where merchant_id = :merchant")
                .bind("merchant", merchant.value())
                .map((row, meta) -> Arrays.asList(row.get("tiers", String[].class)))
                .one()
                .defaultIfEmpty(List.of(DEFAULT_TIER));
    }

    /** The definition, once every tier it names is one of the merchant's; else an {@link InvalidFieldException} naming the field. */
    public Mono<CampaignDefinition> checked(MerchantId merchant, CampaignDefinition definition) {
        return of(merchant).map(tiers -> {
            String known = "one of the membership programme's tiers: " + String.join(", ", tiers);
            if (definition.trigger().toTier() != null && !tiers.contains(definition.trigger().toTier())) {
                throw new InvalidFieldException("trigger.toTier", "must be " + known);
            }
            List<String> named = definition.audience().tiers();
            for (int i = 0; i < named.size(); i++) {
                if (!tiers.contains(named.get(i))) {
                    throw new InvalidFieldException("audience.tiers[" + i + "]", "must be " + known);
                }
            }
            return definition;
        });
    }
}
