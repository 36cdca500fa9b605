package io.fugou.loyalty.orders;

import io.fugou.events.MemberKey;
import java.time.Instant;
import java.util.List;

/**
 * What a paid order earned and where its points stand: pending until {@code availableAt} (then
 * released), and what its refunds took back.
 */
public record OrderPoints(MemberKey member, String orderId, String currency, long points, long reversedPoints, boolean released,
                          Instant availableAt, List<EarnedLine> lines) {

    public OrderPoints withLines(List<EarnedLine> newLines) {
        long reversed = newLines.stream().mapToLong(EarnedLine::reversed).sum();
        return new OrderPoints(member, orderId, currency, points, reversed, released, availableAt, List.copyOf(newLines));
    }
}
