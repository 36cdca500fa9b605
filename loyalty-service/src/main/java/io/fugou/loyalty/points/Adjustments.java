package io.fugou.loyalty.points;

import io.fugou.events.MemberKey;
import io.fugou.loyalty.redemption.Redemptions;
import io.fugou.loyalty.rules.ReturnWindow;
import io.fugou.loyalty.rules.RuleBook;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.pipeline.Outbox;
import io.fugou.platform.web.InvalidFieldException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

/**
 * A merchant's correction of a member's points, with its reason and who made it (the token's subject),
 * kept in the ledger like every other change and published as {@code PointsAdjusted}. Points added are
 * a lot of their own (expiring like earned points); points taken away never take the spendable balance
 * below zero.
 */
@Service
public class Adjustments {

    private final PointsLedger ledger;
    private final RuleBook rules;
    private final Redemptions redemptions;
    private final Outbox outbox;
    private final TransactionalOperator transactional;
    private final Clock clock;

    public Adjustments(PointsLedger ledger, RuleBook rules, Redemptions redemptions, Outbox outbox, ReactiveTransactionManager transactions,
                       Clock clock) {
        this.ledger = ledger;
        this.rules = rules;
        this.redemptions = redemptions;
        this.outbox = outbox;
        this.transactional = TransactionalOperator.create(transactions);
        this.clock = clock;
    }

    public Mono<LedgerEntry> adjust(MerchantId merchant, String customerId, String adjustmentId, Long points, String reason, String operator) {
        if (adjustmentId == null || adjustmentId.isBlank() || adjustmentId.length() > 200) {
            throw new InvalidFieldException("adjustmentId", "must name the correction (1 to 200 characters), so sending it again cannot apply it twice");
        }
        if (points == null || points == 0) {
            throw new InvalidFieldException("points", "must be a whole number of points other than 0 (negative takes points away)");
        }
        if (reason == null || reason.isBlank()) {
            throw new InvalidFieldException("reason", "must say why the balance is corrected: it is kept in the ledger");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        MemberKey member = new MemberKey(merchant.value(), customerId);
        String entryId = "adjustment:" + adjustmentId;
        ResponseStatusException appliedAlready = new ResponseStatusException(HttpStatus.CONFLICT, "Adjustment " + adjustmentId + " was applied already.");
        return rules.inForce(merchant, now).flatMap(version -> {
            Posting adjustment = Posting.adjusted(member, entryId, points, reason, operator,
                    points > 0 ? ReturnWindow.pointsExpireAfter(version.rules(), now) : null, now);
            // Checked under the member's lock: a correction sent again is told so first, even when the balance has fallen
            // since (it would otherwise be refused as more than can be spent, and taken for one never applied).
            return ledger.post(List.of(adjustment), before -> ledger.existing(List.of(merchant.value()), List.of(entryId))
                            .flatMap(existing -> !existing.isEmpty() ? Mono.<Void>error(appliedAlready)
                                    : points > 0 ? Mono.<Void>empty()
                                    : redemptions.held(merchant, customerId, now).flatMap(held -> {
                                        long spendable = before.getOrDefault(member, Balance.NONE).available() - held;
                                        return spendable + points >= 0 ? Mono.<Void>empty()
                                                : Mono.error(new ResponseStatusException(HttpStatus.CONFLICT, "Cannot take " + -points
                                                        + " points away: " + spendable + " can be spent (available less those held by reservations)."));
                                    })))
                    .flatMap(entries -> outbox.append(PointsEvents.of(entries)).thenReturn(entries.get(0)));
        }).onErrorMap(DataIntegrityViolationException.class, e -> appliedAlready).as(transactional::transactional);
    }
}
