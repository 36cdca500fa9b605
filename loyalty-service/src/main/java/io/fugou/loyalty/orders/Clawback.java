package io.fugou.loyalty.orders;

import io.fugou.loyalty.rules.Scoring;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * What a refund or cancellation takes back from an order, line by line. A line's points are taken
 * back in proportion to the larger of the share of its money and the share of its units returned so
 * far (all of them once everything is returned), so refunds in several parts add up to exactly what a
 * single refund of the same would take, and never to more than the line earned.
 */
public final class Clawback {

    /** A refunded part of an order: a line (by id or SKU), units of it, and the money, when the shop split it by line. */
    public record RefundedPart(String lineId, String sku, int quantity, Long amountMinor) {
    }

    /** A refund ({@code whole} for a full refund or a cancellation), with the lines it names, if any. */
    public record Refund(long amountMinor, boolean whole, List<RefundedPart> parts) {
    }

    private Clawback() {
    }

    /** The order after the refund; its {@code reversedPoints} grew by what the refund takes back. */
    public static OrderPoints apply(OrderPoints order, Refund refund) {
        List<EarnedLine> lines = order.lines();
        if (refund.whole()) {
            return order.withLines(lines.stream().map(line -> line.refund(0, 0, true)).toList());
        }
        long[] money = new long[lines.size()];
        int[] units = new int[lines.size()];
        long notOnALine = 0;
        if (refund.parts().isEmpty()) {
            notOnALine = refund.amountMinor();
        } else {
            // Parts without their own amount share what the refund's amount leaves, by what their units cost.
            long named = refund.parts().stream().filter(p -> p.amountMinor() != null).mapToLong(RefundedPart::amountMinor).sum();
            List<RefundedPart> unsplit = refund.parts().stream().filter(p -> p.amountMinor() == null).toList();
            List<BigInteger> weights = unsplit.stream().map(p -> {
                int at = find(lines, p);
                EarnedLine line = at < 0 ? null : lines.get(at);
                return line == null || line.quantity() == 0 ? BigInteger.ZERO
                        : BigInteger.valueOf(line.paidMinor()).multiply(BigInteger.valueOf(p.quantity())).divide(BigInteger.valueOf(line.quantity()));
            }).toList();
            List<Long> shares = Scoring.share(Math.max(0, refund.amountMinor() - named), weights);
            int next = 0;
            for (RefundedPart part : refund.parts()) {
                long amount = part.amountMinor() != null ? part.amountMinor() : shares.get(next++);
                int at = find(lines, part);
                if (at < 0) {
                    notOnALine += amount; // a line the order does not have: its money counts against the whole order
                } else {
                    money[at] += amount;
                    units[at] += part.quantity();
                }
            }
        }
        if (notOnALine > 0 && !lines.isEmpty()) {
            List<Long> shares = Scoring.share(notOnALine, lines.stream().map(line -> BigInteger.valueOf(line.paidMinor())).toList());
            for (int i = 0; i < lines.size(); i++) {
                money[i] += shares.get(i);
            }
        }
        List<EarnedLine> after = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            after.add(lines.get(i).refund(money[i], units[i], false));
        }
        return order.withLines(after);
    }

    private static int find(List<EarnedLine> lines, RefundedPart part) {
        for (int i = 0; i < lines.size(); i++) {
            if (part.lineId() != null ? part.lineId().equals(lines.get(i).key()) : part.sku().equals(lines.get(i).sku())) {
                return i;
            }
        }
        if (part.lineId() != null) {
            for (int i = 0; i < lines.size(); i++) {
                if (part.sku() != null && part.sku().equals(lines.get(i).sku())) {
                    return i;
                }
            }
        }
        return -1;
    }
}
