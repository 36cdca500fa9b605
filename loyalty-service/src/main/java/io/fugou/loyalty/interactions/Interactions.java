package io.fugou.loyalty.interactions;

import io.fugou.events.MemberKey;
import io.fugou.loyalty.points.LedgerEntry;
import io.fugou.loyalty.points.PointsEvents;
import io.fugou.loyalty.points.PointsLedger;
import io.fugou.loyalty.points.Posting;
import io.fugou.loyalty.rules.EarningRules;
import io.fugou.loyalty.rules.ReturnWindow;
import io.fugou.loyalty.rules.RuleBook;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.pipeline.Outbox;
import io.fugou.platform.web.InvalidFieldException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

/**
 * Points for what a member does besides buying (a review, a completed profile, a daily sign-in), posted
 * by the shop: each interaction earns the points its kind's rule gives, once under the shop's id, within
 * the kind's caps per day and per member; over a cap it is recorded and earns nothing. The points are
 * available at once (no return window) and expire like any other.
 */
@Service
public class Interactions {

    /** What an interaction earned; {@code cappedBy} names the cap that left it nothing (maxPerDay, maxPerMember). */
    public record Outcome(String kind, String interactionId, long points, String cappedBy, LedgerEntry entry) {
    }

    private static final Duration LATEST_ACCEPTED_DELAY = Duration.ofDays(30);

    private final DatabaseClient db;
    private final RuleBook rules;
    private final PointsLedger ledger;
    private final Outbox outbox;
    private final TransactionalOperator transactional;
    private final Clock clock;

    public Interactions(DatabaseClient db, RuleBook rules, PointsLedger ledger, Outbox outbox, ReactiveTransactionManager transactions,
                        Clock clock) {
        this.db = db;
        this.rules = rules;
        this.ledger = ledger;
        this.outbox = outbox;
        this.transactional = TransactionalOperator.create(transactions);
        this.clock = clock;
    }

    public Mono<Outcome> record(MerchantId merchant, String customerId, String kind, String interactionId, Instant occurredAt) {
        if (kind == null || kind.isBlank()) {
            throw new InvalidFieldException("kind", "must name the kind of interaction (review, sign-in...)");
        }
        if (interactionId == null || interactionId.isBlank() || interactionId.length() > 200) {
            throw new InvalidFieldException("interactionId", "must be the shop's id of it (1 to 200 characters), so it earns once");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Instant at = occurredAt == null ? now : occurredAt.truncatedTo(ChronoUnit.MILLIS);
        if (at.isAfter(now.plus(Duration.ofMinutes(5))) || at.isBefore(now.minus(LATEST_ACCEPTED_DELAY))) {
            throw new InvalidFieldException("occurredAt", "must be within the last " + LATEST_ACCEPTED_DELAY.toDays() + " days and not in the future");
        }
        MemberKey member = new MemberKey(merchant.value(), customerId);
        return rules.inForce(merchant, at).flatMap(version -> {
            EarningRules.InteractionRule rule = version.rules().interaction(kind);
            if (rule == null) {
                return Mono.<Outcome>error(new InvalidFieldException("kind", "this merchant gives no points for '" + kind + "'; its kinds are "
                        + version.rules().interactions().stream().map(EarningRules.InteractionRule::kind).toList()));
            }
            LocalDate day = at.atZone(version.rules().zone()).toLocalDate();
            // One writer at a time per member's interactions, so two racing requests cannot both fit under a cap.
            return db.sql("select pg_advisory_xact_lock(hashtext('fugou_interaction'), hashtext(:merchant || ':' || :customer))")
                    .bind("merchant", merchant.value()).bind("customer", customerId).then()
                    .then(counts(member, kind, day))
                    .flatMap(counts -> {
                        String cappedBy = rule.maxPerMember() != null && counts[1] >= rule.maxPerMember() ? "maxPerMember"
                                : rule.maxPerDay() != null && counts[0] >= rule.maxPerDay() ? "maxPerDay" : null;
                        long points = cappedBy == null ? rule.points() : 0;
                        Mono<LedgerEntry> earned = points == 0 ? Mono.empty()
                                : ledger.post(List.of(Posting.earned(member, PointsEvents.INTERACTION_ENTRY + kind + ":" + interactionId, points,
                                                null, List.of("rules-v" + version.version(), "interaction:" + kind), null,
                                                ReturnWindow.pointsExpireAfter(version.rules(), at), at, null)))
                                        .flatMap(entries -> outbox.append(PointsEvents.of(entries)).thenReturn(entries.get(0)));
                        return insert(member, kind, interactionId, day, points, cappedBy, at)
                                .flatMap(inserted -> inserted == 0
                                        ? Mono.<Outcome>error(new ResponseStatusException(HttpStatus.CONFLICT,
                                                "Interaction " + kind + " " + interactionId + " was recorded already."))
                                        : earned.map(entry -> new Outcome(kind, interactionId, points, null, entry))
                                                .defaultIfEmpty(new Outcome(kind, interactionId, 0, cappedBy, null)));
                    });
        }).as(transactional::transactional);
    }

    /** How many of this kind the member has today and ever. */
    private Mono<long[]> counts(MemberKey member, String kind, LocalDate day) {
        return db.sql("""
                        select count(*) filter (where day = :day) as today, count(*) as ever from interaction
                        where merchant_id = :merchant and customer_id = :customer and kind = :kind and points > 0""")
                .bind("merchant", member.merchantId()).bind("customer", member.customerId()).bind("kind", kind).bind("day", day)
                .map((row, meta) -> new long[] {((Number) row.get("today")).longValue(), ((Number) row.get("ever")).longValue()})
                .one();
    }

    private Mono<Long> insert(MemberKey member, String kind, String interactionId, LocalDate day, long points, String cappedBy, Instant at) {
        return db.sql("""
                        insert into interaction (merchant_id, kind, interaction_id, customer_id, day, points, capped_by, occurred_at)
                        values (:merchant, :kind, :id, :customer, :day, :points, :cappedBy, :at)
                        on conflict do nothing""")
                .bind("merchant", member.merchantId()).bind("kind", kind).bind("id", interactionId).bind("customer", member.customerId())
                .bind("day", day).bind("points", points)
                .bind("cappedBy", org.springframework.r2dbc.core.Parameter.fromOrEmpty(cappedBy, String.class))
                .bind("at", OffsetDateTime.ofInstant(at, ZoneOffset.UTC))
                .fetch().rowsUpdated();
    }
}
