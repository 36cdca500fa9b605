package io.fugou.loyalty.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.fugou.loyalty.rules.EarningRules.BaseRate;
import io.fugou.loyalty.rules.EarningRules.Caps;
import io.fugou.loyalty.rules.EarningRules.CategoryMultiplier;
import io.fugou.loyalty.rules.EarningRules.MemberDay;
import io.fugou.loyalty.rules.EarningRules.Rounding;
import io.fugou.loyalty.rules.EarningRules.TierMultiplier;
import java.math.BigInteger;
import java.time.DayOfWeek;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScoringTest {

    /** Wednesday 2026-11-25, 10:00 in Shanghai. */
    private static final Instant WEDNESDAY = Instant.parse("2026-11-25T02:00:00Z");

    private static RuleVersion version(EarningRules rules) {
        return new RuleVersion(3, Instant.EPOCH, rules.validated());
    }

    private static EarningRules rules(List<TierMultiplier> tiers, List<MemberDay> days, List<CategoryMultiplier> categories, Caps caps,
                                      Rounding rounding) {
        return new EarningRules("Asia/Shanghai", List.of(new BaseRate("CNY", 1L, 100L)), rounding, tiers, days, categories, caps, 7, null, null, null, null, null, null, null, null, null);
    }

    private static Scoring.Line line(String id, String category, long paid) {
        return new Scoring.Line(id, "SKU-" + id, category, 1, paid);
    }

    @Test
    void shouldMultiplyTierMemberDayAndCategoryAndRoundOncePerOrder() {
        RuleVersion version = version(rules(List.of(new TierMultiplier("gold", 150)), List.of(new MemberDay(DayOfWeek.WEDNESDAY, null, 200)),
                List.of(new CategoryMultiplier("drinks", 300)), null, Rounding.DOWN));

        Scoring.Score score = Scoring.score(version, new Scoring.Order("CNY", WEDNESDAY, "gold",
                List.of(line("L1", "drinks/beer", 10_050), line("L2", "snacks", 1_099))));

        // Beer: 100.50 × 1.5 × 2 × 3 = 904.5; snacks: 10.99 × 1.5 × 2 = 32.97; together 937.47, rounded down once.
        assertThat(score.points()).isEqualTo(937);
        assertThat(score.ruleIds()).containsExactly("rules-v3", "base-rate:CNY", "tier:gold", "member-day:WEDNESDAY", "category:drinks");
        assertThat(score.linePoints(937)).as("shared by what each line earned").containsExactly(904L, 33L);
    }

    @Test
    void shouldNotApplyAMemberDayOnAnotherDayInTheMerchantsZone() {
        RuleVersion version = version(rules(List.of(), List.of(new MemberDay(DayOfWeek.WEDNESDAY, null, 200)), List.of(), null, Rounding.DOWN));
        Instant tuesdayEvening = Instant.parse("2026-11-24T15:30:00Z"); // 23:30 Tuesday in Shanghai
        Instant wednesdayEarlyInShanghai = Instant.parse("2026-11-24T16:30:00Z"); // 00:30 Wednesday in Shanghai, still Tuesday in UTC

        assertThat(Scoring.score(version, new Scoring.Order("CNY", tuesdayEvening, null, List.of(line("L1", "x", 10_000)))).points()).isEqualTo(100);
        assertThat(Scoring.score(version, new Scoring.Order("CNY", wednesdayEarlyInShanghai, null, List.of(line("L1", "x", 10_000)))).points())
                .isEqualTo(200);
    }

    @Test
    void shouldCapPerOrderAndRoundAsTheRulesSay() {
        Scoring.Order order = new Scoring.Order("CNY", WEDNESDAY, null, List.of(line("L1", "x", 150), line("L2", "x", 150)));

        assertThat(Scoring.score(version(rules(null, null, null, null, Rounding.DOWN)), order).points()).isEqualTo(3);
        assertThat(Scoring.score(version(rules(null, null, null, null, Rounding.UP)), new Scoring.Order("CNY", WEDNESDAY, null,
                List.of(line("L1", "x", 101)))).points()).isEqualTo(2);
        Scoring.Score capped = Scoring.score(version(rules(null, null, null, new Caps(2L, null), Rounding.DOWN)), order);
        assertThat(capped.points()).isEqualTo(2);
        assertThat(capped.ruleIds()).contains("cap:per-order");
    }

    @Test
    void shouldEarnNothingInACurrencyWithoutARate() {
        Scoring.Score score = Scoring.score(version(EarningRules.defaults()), new Scoring.Order("USD", WEDNESDAY, null, List.of(line("L1", "x", 10_000))));

        assertThat(score.points()).isZero();
    }

    @Test
    void shouldShareToTheUnitWithTheRemainderOnTheLargestRemainders() {
        assertThat(Scoring.share(10, List.of(BigInteger.ONE, BigInteger.ONE, BigInteger.ONE))).containsExactly(4L, 3L, 3L);
        assertThat(Scoring.share(100, List.of(BigInteger.valueOf(2), BigInteger.valueOf(1)))).containsExactly(67L, 33L);
        assertThat(Scoring.share(0, List.of(BigInteger.ONE))).containsExactly(0L);
    }
}
