package io.fugou.loyalty.points;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.infra.LocalPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.r2dbc.core.DatabaseClient;
import org.junit.jupiter.api.Test;

/**
 * A database that numbered members' points events in the platform's counter table, upgraded to the
 * counter in the balance row: every member's sequence goes on from the number it had reached.
 */
class PointsSequenceUpgradeIT {

    @Test
    void shouldCarryEachMembersNumberIntoTheirBalanceRow() throws SQLException {
        MigratedDatabase migrated = MigratedDatabase.create("loyalty_upgrade").migrate("8");
        LocalPostgres.Database database = migrated.database();
        String points = Topics.POINTS.name();
        try (Connection connection = connect(database); Statement sql = connection.createStatement()) {
            // As the platform's MemberSequences created and filled it before.
            sql.execute("""
                    create table fugou_member_sequence (stream text not null, merchant_id text not null, customer_id text not null,
                                                        last_value bigint not null, primary key (stream, merchant_id, customer_id))""");
            sql.execute("""
                    insert into fugou_member_sequence values ('%1$s', 'm-1', 'earner', 5), ('%1$s', 'm-1', 'holder', 2), ('%1$s', 'm-2', 'earner', 9),
                                                             ('%2$s', 'm-1', 'earner', 40)""".formatted(points, Topics.MEMBERS.name()));
            sql.execute("insert into points_balance (merchant_id, customer_id, available, pending, lifetime) values ('m-1', 'earner', 70, 30, 100)");
        }

        migrated.migrate("latest");

        try (Connection connection = connect(database); Statement sql = connection.createStatement();
             ResultSet rows = sql.executeQuery("""
                     select merchant_id || '/' || customer_id as member, available, pending, lifetime, last_sequence
                     from points_balance order by merchant_id, customer_id""")) {
            Map<String, String> balances = new LinkedHashMap<>();
            while (rows.next()) {
                balances.put(rows.getString("member"), rows.getLong("available") + " " + rows.getLong("pending") + " " + rows.getLong("lifetime")
                        + " #" + rows.getLong("last_sequence"));
            }
            // The earner keeps their balances; a member who only held an entitlement gets a row at zero; another topic's
            // numbers stay where they were.
            assertThat(balances).containsExactly(Map.entry("m-1/earner", "70 30 100 #5"), Map.entry("m-1/holder", "0 0 0 #2"),
                    Map.entry("m-2/earner", "0 0 0 #9"));
        }
        // An instance of the older build, still numbering from the old counter, is refused with an error the platform
        // waits on (class 57) rather than dead-letters; other streams' counters are untouched.
        try (Connection connection = connect(database); Statement sql = connection.createStatement()) {
            String oldNumbering = """
                    insert into fugou_member_sequence as s (stream, merchant_id, customer_id, last_value) values ('%s', 'm-1', 'earner', 1)
                    on conflict (stream, merchant_id, customer_id) do update set last_value = s.last_value + excluded.last_value""";
            assertThatThrownBy(() -> sql.execute(oldNumbering.formatted(points)))
                    .isInstanceOfSatisfying(SQLException.class, refused -> assertThat(refused.getSQLState()).isEqualTo("57000"))
                    .hasMessageContaining("stop the instances of the older build");
            sql.execute(oldNumbering.formatted(Topics.MEMBERS.name()));
        }
        // The service goes on from there; a member never numbered starts at 1.
        DatabaseClient db = migrated.client();
        PointsLedger ledger = new PointsLedger(db, new PointsLots(db));
        MemberKey earner = new MemberKey("m-1", "earner");
        assertThat(ledger.number(List.of(earner, new MemberKey("m-1", "holder"), new MemberKey("m-2", "earner"), new MemberKey("m-2", "new"), earner))
                .block(Duration.ofSeconds(30))).containsExactly(6L, 3L, 10L, 1L, 7L);
    }

    @Test
    void shouldUpgradeADatabaseThatNeverNumberedAnEvent() throws SQLException {
        LocalPostgres.Database database = MigratedDatabase.create("loyalty_fresh").migrate("latest").database();

        try (Connection connection = connect(database); Statement sql = connection.createStatement();
             ResultSet column = sql.executeQuery("""
                     select column_default from information_schema.columns where table_name = 'points_balance' and column_name = 'last_sequence'""")) {
            assertThat(column.next()).isTrue();
            assertThat(column.getString(1)).isEqualTo("0");
        }
    }

    private static Connection connect(LocalPostgres.Database database) throws SQLException {
        return DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
    }
}
