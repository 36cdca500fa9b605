package io.fugou.loyalty.points;

import static org.assertj.core.api.Assertions.assertThat;

import io.fugou.events.MemberKey;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.r2dbc.core.DatabaseClient;

/**
 * The per-member daily cap over one batch of claims on the real database: each claim gets what is left of its day's cap
 * when it comes, and the day keeps what was granted, whatever the claims would have earned uncapped.
 */
class DailyEarningsIT {

    private static final LocalDate DAY = LocalDate.of(2026, 11, 30);

    private final DatabaseClient db = MigratedDatabase.create("loyalty_daily").migrate("latest").client();
    private final DailyEarnings daily = new DailyEarnings(db);

    @Test
    void shouldGrantEachClaimWhatIsLeftOfItsDaysCapInOrderAndKeepWhatWasGranted() {
        MemberKey capped = new MemberKey("m-1", "capped");
        MemberKey uncapped = new MemberKey("m-1", "uncapped");
        MemberKey lowered = new MemberKey("m-2", "capped");
        db.sql("insert into points_daily_earned values ('m-2', 'capped', :day, 450)").bind("day", DAY).then().block(Duration.ofSeconds(30));

        List<Long> granted = daily.claim(List.of(
                new DailyEarnings.Claim(capped, DAY, 258, 600L),
                new DailyEarnings.Claim(uncapped, DAY, 900, null),
                new DailyEarnings.Claim(capped, DAY, 258, 600L),
                new DailyEarnings.Claim(capped, DAY.plusDays(1), 258, 600L),
                new DailyEarnings.Claim(capped, DAY, 258, 600L),
                new DailyEarnings.Claim(capped, DAY, 0, 600L),
                new DailyEarnings.Claim(lowered, DAY, 100, 500L), // 450 earned before: 50 left
                new DailyEarnings.Claim(lowered, DAY, 100, 400L), // a version with a lower cap the same day: none left
                new DailyEarnings.Claim(capped, DAY, 258, 1000L), // a raised cap: 400 left of it
                new DailyEarnings.Claim(uncapped, DAY, 900, null))).block(Duration.ofSeconds(30));

        assertThat(granted).containsExactly(258L, 900L, 258L, 258L, 84L, 0L, 50L, 0L, 258L, 900L);
        assertThat(stored()).containsExactly(Map.entry("m-1/capped/2026-11-30", 858L), Map.entry("m-1/capped/2026-12-01", 258L),
                Map.entry("m-1/uncapped/2026-11-30", 1_800L), Map.entry("m-2/capped/2026-11-30", 500L));

        // The next batch counts from what was granted: 142 left of the raised cap.
        assertThat(daily.claim(List.of(new DailyEarnings.Claim(capped, DAY, 258, 1000L))).block(Duration.ofSeconds(30))).containsExactly(142L);
    }

    private Map<String, Long> stored() {
        return db.sql("select merchant_id || '/' || customer_id || '/' || day as member_day, points from points_daily_earned order by 1")
                .map(row -> Map.entry(row.get("member_day", String.class), row.get("points", Long.class)))
                .all().collectList().block(Duration.ofSeconds(30)).stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, java.util.LinkedHashMap::new));
    }
}
