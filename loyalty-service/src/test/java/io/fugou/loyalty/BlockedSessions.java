package io.fugou.loyalty;

import static org.assertj.core.api.Assertions.assertThat;

import io.fugou.infra.LocalPostgres;
import io.fugou.testsupport.TestInfrastructure;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

/** For tests that hold a lock on their own connection while the service runs into it. */
final class BlockedSessions {

    private BlockedSessions() {
    }

    /** A connection of the test's own to the service's database (the one the test context points the service at). */
    static Connection connect() throws SQLException {
        LocalPostgres.Database database = TestInfrastructure.get().database("loyalty_service");
        return DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
    }

    /** Until another session (the service's) waits for a lock this connection holds; 30 s at most. */
    static void awaitBlockedBy(Connection connection) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (PreparedStatement blocked = connection.prepareStatement(
                "select count(*) from pg_stat_activity where pg_backend_pid() = any(pg_blocking_pids(pid))")) {
            while (true) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("select pg_stat_clear_snapshot()"); // the activity is read once per transaction otherwise
                }
                try (ResultSet rows = blocked.executeQuery()) {
                    rows.next();
                    if (rows.getLong(1) > 0) {
                        return;
                    }
                }
                assertThat(System.nanoTime()).as("a session waiting for this one's locks").isLessThan(deadline);
                Thread.sleep(20);
            }
        }
    }
}
