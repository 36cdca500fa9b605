package io.fugou.loyalty.redemption;

import java.time.Instant;

/**
 * Points exchanged for a reward: reserved (held from the member's balance until {@code expiresAt}),
 * then confirmed (spent) or cancelled; a reservation left unconfirmed past {@code expiresAt} is expired
 * and holds nothing.
 */
public record Redemption(String merchantId, String redemptionId, String customerId, long points, Reward reward, String rewardId,
                         String orderId, Long cashMinor, String cashCurrency, State state, Instant reservedAt, Instant expiresAt,
                         Instant settledAt) {

    public enum Reward { COUPON, GIFT, CASH_OFF }

    public enum State { RESERVED, CONFIRMED, CANCELLED, EXPIRED }

    /** The state as of {@code now}: a reservation past its time is expired, whatever its row says. */
    public Redemption asOf(Instant now) {
        return state == State.RESERVED && !now.isBefore(expiresAt)
                ? new Redemption(merchantId, redemptionId, customerId, points, reward, rewardId, orderId, cashMinor, cashCurrency,
                        State.EXPIRED, reservedAt, expiresAt, expiresAt)
                : this;
    }
}
