package io.fugou.loyalty.redemption;

import io.fugou.events.MemberKey;
import io.fugou.loyalty.points.Balance;
import io.fugou.loyalty.points.PointsEvents;
import io.fugou.loyalty.points.PointsLedger;
import io.fugou.loyalty.points.Posting;
import io.fugou.loyalty.redemption.Redemption.Reward;
import io.fugou.loyalty.redemption.Redemption.State;
import io.fugou.loyalty.rules.EarningRules;
import io.fugou.loyalty.rules.RuleBook;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.pipeline.Outbox;
import io.fugou.platform.web.InvalidFieldException;
import io.r2dbc.spi.Readable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Service;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

/**
 * Redemption (积分兑换): reserve points for a reward, then confirm (the points are spent: a
 * {@code PointsRedeemed} entry, published through the outbox) or cancel, so a checkout that fails gives
 * the points back. A reservation holds points from the balance until it is settled or its time runs
 * out; the balance less what is held can never be reserved twice, however many requests race.
 */
@Service
public class Redemptions {

    /** What the shop asks for. {@code redemptionId} is the shop's own id, or null to have one made. */
    public record Request(String redemptionId, Long points, Reward reward, String rewardId, String orderId) {
    }

    private final DatabaseClient db;
    private final PointsLedger ledger;
    private final RuleBook rules;
    private final Outbox outbox;
    private final TransactionalOperator transactional;
    private final Clock clock;

    public Redemptions(DatabaseClient db, PointsLedger ledger, RuleBook rules, Outbox outbox, ReactiveTransactionManager transactions,
                       Clock clock) {
        this.db = db;
        this.ledger = ledger;
        this.rules = rules;
        this.outbox = outbox;
        this.transactional = TransactionalOperator.create(transactions);
        this.clock = clock;
    }

    public Mono<Redemption> reserve(MerchantId merchant, String customerId, Request request) {
        if (request.points() == null || request.points() < 1) {
            throw new InvalidFieldException("points", "must be a positive number of points");
        }
        if (request.reward() == null) {
            throw new InvalidFieldException("reward", "must be COUPON, GIFT or CASH_OFF");
        }
        if (request.reward() != Reward.CASH_OFF && (request.rewardId() == null || request.rewardId().isBlank())) {
            throw new InvalidFieldException("rewardId", "must name what the points buy: the coupon template or the gift's SKU");
        }
        if (request.reward() == Reward.CASH_OFF && (request.orderId() == null || request.orderId().isBlank())) {
            throw new InvalidFieldException("orderId", "must name the order the cash is taken off");
        }
        if (request.redemptionId() != null && (request.redemptionId().isBlank() || request.redemptionId().length() > 200)) {
            throw new InvalidFieldException("redemptionId", "must be 1 to 200 characters, or left out to have one made");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        String id = request.redemptionId() != null ? request.redemptionId() : UUID.randomUUID().toString();
        return rules.inForce(merchant, now).flatMap(version -> {
            EarningRules programme = version.rules();
            Long cash = null;
            String currency = null;
            if (request.reward() == Reward.CASH_OFF) {
                EarningRules.CashRate rate = programme.cashRates().stream().findFirst().orElseThrow(() -> new InvalidFieldException("reward",
                        "this merchant takes no points as cash: its rules list no cashRates"));
                if (request.points() % rate.points() != 0) {
                    throw new InvalidFieldException("points", "must be a multiple of " + rate.points() + " for cash off ("
                            + rate.points() + " points are worth " + rate.worthMinor() + " minor units of " + rate.currency() + ")");
                }
                cash = request.points() / rate.points() * rate.worthMinor();
                currency = rate.currency();
            }
            Redemption reserved = new Redemption(merchant.value(), id, customerId, request.points(), request.reward(), request.rewardId(),
                    request.orderId(), cash, currency, State.RESERVED, now, now.plus(Duration.ofMinutes(programme.reservationMinutes())), null);
            return lockBalance(merchant, customerId)
                    .flatMap(available -> held(merchant, customerId, now).flatMap(held -> {
                        if (available - held < request.points()) {
                            return Mono.error(new ResponseStatusException(HttpStatus.CONFLICT, "Not enough points: " + available
                                    + " available, " + held + " held by other reservations, " + request.points() + " asked for."));
                        }
                        return insert(reserved);
                    }))
                    .thenReturn(reserved)
                    .onErrorMap(DataIntegrityViolationException.class, e -> new ResponseStatusException(HttpStatus.CONFLICT,
                            "Redemption " + id + " exists already."))
                    .as(transactional::transactional);
        });
    }

    /** Spends the reserved points. Confirming a confirmed redemption again changes nothing. */
    public Mono<Redemption> confirm(MerchantId merchant, String redemptionId) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        return lockRedemption(merchant, redemptionId).flatMap(found -> {
            Redemption redemption = found.asOf(now);
            return switch (redemption.state()) {
                case CONFIRMED -> Mono.just(redemption);
                case CANCELLED -> Mono.<Redemption>error(conflict("Redemption " + redemptionId + " was cancelled; its points went back."));
                case EXPIRED -> settle(redemption, State.EXPIRED, redemption.expiresAt()).then(Mono.<Redemption>error(conflict(
                        "Redemption " + redemptionId + " expired at " + redemption.expiresAt() + " unconfirmed; its points went back.")));
                case RESERVED -> {
                    MemberKey member = new MemberKey(merchant.value(), redemption.customerId());
                    Posting spent = Posting.redeemed(member, "redemption:" + redemptionId, redemption.points(), redemption.orderId(),
                            new Posting.Spend(redemptionId, redemption.reward().name(), redemption.rewardId(), redemption.cashMinor(),
                                    redemption.cashCurrency()), now);
                    // The hold kept other reservations off these points, but a refund may have taken some back since.
                    yield ledger.post(List.of(spent), before -> before.getOrDefault(member, Balance.NONE).available() >= redemption.points()
                                    ? Mono.empty()
                                    : Mono.error(conflict("Not enough points left to confirm redemption " + redemptionId
                                            + ": a refund took some back since it was reserved. Cancel it.")))
                            .flatMap(entries -> outbox.append(PointsEvents.of(entries)))
                            .then(settle(redemption, State.CONFIRMED, now));
                }
            };
        }).as(transactional::transactional);
    }

    /** Gives the reserved points back. Cancelling a cancelled or expired redemption again changes nothing. */
    public Mono<Redemption> cancel(MerchantId merchant, String redemptionId) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        return lockRedemption(merchant, redemptionId).flatMap(found -> {
            Redemption redemption = found.asOf(now);
            return switch (redemption.state()) {
                case CANCELLED -> Mono.just(redemption);
                case EXPIRED -> settle(redemption, State.EXPIRED, redemption.expiresAt());
                case CONFIRMED -> Mono.<Redemption>error(conflict("Redemption " + redemptionId + " was confirmed: its points are spent."));
                case RESERVED -> settle(redemption, State.CANCELLED, now);
            };
        }).as(transactional::transactional);
    }

    public Mono<Redemption> find(MerchantId merchant, String redemptionId) {
        return one(db.sql("select * from redemption where merchant_id = :merchant and redemption_id = :id"), merchant, redemptionId)
                .map(redemption -> redemption.asOf(clock.instant()));
    }

    /** Points held by a member's reservations that are neither settled nor past their time. */
    public Mono<Long> held(MerchantId merchant, String customerId, Instant now) {
        return db.sql("""
                        select coalesce(sum(points), 0) as held from redemption
                        where merchant_id = :merchant and customer_id = :customer and state = 'reserved' and expires_at > :now""")
                .bind("merchant", merchant.value()).bind("customer", customerId).bind("now", utc(now))
                .map((row, meta) -> ((Number) row.get("held")).longValue()).one();
    }

    /** The member's available points, the balance row locked until the transaction ends (none yet: nothing to spend). */
    private Mono<Long> lockBalance(MerchantId merchant, String customerId) {
        return db.sql("select available from points_balance where merchant_id = :merchant and customer_id = :customer for update")
                .bind("merchant", merchant.value()).bind("customer", customerId)
                .map((row, meta) -> row.get("available", Long.class)).one()
                .defaultIfEmpty(0L);
    }

    private Mono<Redemption> lockRedemption(MerchantId merchant, String redemptionId) {
        return one(db.sql("select * from redemption where merchant_id = :merchant and redemption_id = :id for update"), merchant, redemptionId);
    }

    private static Mono<Redemption> one(DatabaseClient.GenericExecuteSpec query, MerchantId merchant, String redemptionId) {
        return query.bind("merchant", merchant.value()).bind("id", redemptionId)
                .map((row, meta) -> redemption(row)).one()
                .switchIfEmpty(Mono.error(() -> notFound(redemptionId)));
    }

    private Mono<Void> insert(Redemption r) {
        return db.sql("""
                        insert into redemption (merchant_id, redemption_id, customer_id, points, reward, reward_id, order_id, cash_minor,
                                                cash_currency, state, reserved_at, expires_at)
                        values (:merchant, :id, :customer, :points, :reward, :rewardId, :orderId, :cash, :currency, 'reserved', :reservedAt,
                                :expiresAt)""")
                .bind("merchant", r.merchantId()).bind("id", r.redemptionId()).bind("customer", r.customerId())
                .bind("points", r.points()).bind("reward", r.reward().name())
                .bind("rewardId", Parameter.fromOrEmpty(r.rewardId(), String.class))
                .bind("orderId", Parameter.fromOrEmpty(r.orderId(), String.class))
                .bind("cash", Parameter.fromOrEmpty(r.cashMinor(), Long.class))
                .bind("currency", Parameter.fromOrEmpty(r.cashCurrency(), String.class))
                .bind("reservedAt", utc(r.reservedAt())).bind("expiresAt", utc(r.expiresAt()))
                .then();
    }

    private Mono<Redemption> settle(Redemption r, State state, Instant at) {
        return db.sql("update redemption set state = :state, settled_at = :at where merchant_id = :merchant and redemption_id = :id")
                .bind("state", state.name().toLowerCase(java.util.Locale.ROOT)).bind("at", utc(at))
                .bind("merchant", r.merchantId()).bind("id", r.redemptionId())
                .then()
                .thenReturn(new Redemption(r.merchantId(), r.redemptionId(), r.customerId(), r.points(), r.reward(), r.rewardId(), r.orderId(),
                        r.cashMinor(), r.cashCurrency(), state, r.reservedAt(), r.expiresAt(), at));
    }

    private static Redemption redemption(Readable row) {
        OffsetDateTime settled = row.get("settled_at", OffsetDateTime.class);
        String currency = row.get("cash_currency", String.class);
        return new Redemption(row.get("merchant_id", String.class), row.get("redemption_id", String.class), row.get("customer_id", String.class),
                row.get("points", Long.class), Reward.valueOf(row.get("reward", String.class)), row.get("reward_id", String.class),
                row.get("order_id", String.class), row.get("cash_minor", Long.class), currency == null ? null : currency.trim(),
                State.valueOf(row.get("state", String.class).toUpperCase(java.util.Locale.ROOT)),
                row.get("reserved_at", OffsetDateTime.class).toInstant(), row.get("expires_at", OffsetDateTime.class).toInstant(),
                settled == null ? null : settled.toInstant());
    }

    private static ResponseStatusException conflict(String detail) {
        return new ResponseStatusException(HttpStatus.CONFLICT, detail);
    }

    private static ResponseStatusException notFound(String redemptionId) {
        return new ResponseStatusException(HttpStatus.NOT_FOUND, "No redemption " + redemptionId + " for this merchant.");
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
