package io.fugou.loyalty.points;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fugou.infra.LocalPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The service's text columns compare byte by byte (collation "C") whatever the database's locale, on a new
 * database and on one upgraded with rows in it: the rows stay, found by their keys, and the keys stay unique.
 */
class IdentifiersCompareBytewiseIT {

    @Test
    void shouldKeepRowsAndKeysWhenIdentifiersTurnBytewiseAndLeaveNoTextColumnUnderTheLocale() throws SQLException {
        MigratedDatabase migrated = MigratedDatabase.create("loyalty_collation").migrate("10");
        try (Connection connection = connect(migrated.database()); Statement sql = connection.createStatement()) {
            sql.execute("""
                    insert into points_balance (merchant_id, customer_id, available, pending, lifetime, last_sequence)
                    values ('m-1', 'Zoë', 70, 30, 100, 4), ('m-1', 'zoe', 5, 0, 5, 1)""");
        }

        migrated.migrate("latest");

        try (Connection connection = connect(migrated.database()); Statement sql = connection.createStatement()) {
            try (ResultSet row = sql.executeQuery("select available, last_sequence from points_balance where merchant_id = 'm-1' and customer_id = 'Zoë'")) {
                assertThat(row.next()).isTrue();
                assertThat(row.getLong("available")).isEqualTo(70);
                assertThat(row.getLong("last_sequence")).isEqualTo(4);
            }
            assertThatThrownBy(() -> sql.execute("""
                    insert into points_balance (merchant_id, customer_id, available, pending, lifetime) values ('m-1', 'zoe', 0, 0, 0)"""))
                    .hasMessageContaining("points_balance_pkey");
            List<String> underTheLocale = new ArrayList<>();
            try (ResultSet rows = sql.executeQuery("""
                    select table_name || '.' || column_name from information_schema.columns
                    where table_schema = current_schema()
                      and (data_type in ('text', 'character', 'character varying') or data_type = 'ARRAY' and udt_name = '_text')
                      and table_name <> 'flyway_schema_history' and table_name not like 'fugou\\_%' and collation_name is distinct from 'C'
                    order by 1""")) {
                while (rows.next()) {
                    underTheLocale.add(rows.getString(1));
                }
            }
            assertThat(underTheLocale).as("a new table's text columns need collate \"C\"").isEmpty();
        }
    }

    private static Connection connect(LocalPostgres.Database database) throws SQLException {
        return DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
    }
}
