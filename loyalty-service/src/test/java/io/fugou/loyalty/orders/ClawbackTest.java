package io.fugou.loyalty.orders;

import static org.assertj.core.api.Assertions.assertThat;

import io.fugou.events.MemberKey;
import io.fugou.loyalty.orders.Clawback.Refund;
import io.fugou.loyalty.orders.Clawback.RefundedPart;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClawbackTest {

    /** Two bottles of beer at 129.00 earning 516, one bag of snacks at 50.00 earning 50. */
    private static OrderPoints order() {
        return new OrderPoints(new MemberKey("m", "c"), "o-1", "CNY", 566, 0, true, null, List.of(
                new EarnedLine("L1", "BEER", 2, 25_800, 516, 0, 0, 0),
                new EarnedLine("L2", "SNACK", 1, 5_000, 50, 0, 0, 0)));
    }

    @Test
    void shouldTakeBackWhatTheRefundedUnitsEarned() {
        OrderPoints after = Clawback.apply(order(), new Refund(12_900, false, List.of(new RefundedPart("L1", "BEER", 1, 12_900L))));

        assertThat(after.reversedPoints()).isEqualTo(258);
        assertThat(after.lines().get(1).reversed()).isZero();
    }

    @Test
    void shouldTakeBackEverythingAfterRefundsInPartsAddUpToTheWholeOrder() {
        OrderPoints first = Clawback.apply(order(), new Refund(12_900, false, List.of(new RefundedPart("L1", "BEER", 1, null))));
        OrderPoints second = Clawback.apply(first, new Refund(2_500, false, List.of()));
        OrderPoints last = Clawback.apply(second, new Refund(0, true, List.of()));

        assertThat(first.reversedPoints()).isEqualTo(258);
        // 25.00 not on a line: 20.94 of it on the beer (which has now returned 149.94 of 258.00: 299 points), 4.06 on the snacks (4).
        assertThat(second.reversedPoints()).isEqualTo(299 + 4);
        assertThat(last.reversedPoints()).isEqualTo(566);
        assertThat(Clawback.apply(last, new Refund(5_000, false, List.of())).reversedPoints()).as("never more than earned").isEqualTo(566);
    }

    @Test
    void shouldMatchALineBySkuWhenTheShopSendsNoLineIds() {
        OrderPoints after = Clawback.apply(order(), new Refund(5_000, false, List.of(new RefundedPart(null, "SNACK", 1, null))));

        assertThat(after.lines().get(1).reversed()).isEqualTo(50);
        assertThat(after.reversedPoints()).isEqualTo(50);
    }

    @Test
    void shouldCountMoneyForALineTheOrderDoesNotHaveAgainstTheWholeOrder() {
        OrderPoints after = Clawback.apply(order(), new Refund(3_080, false, List.of(new RefundedPart("L9", "OTHER", 1, 3_080L))));

        // 30.80 is a tenth of the 308.00 paid: a tenth of each line's points.
        assertThat(after.lines()).extracting(EarnedLine::reversed).containsExactly(51L, 5L);
    }
}
