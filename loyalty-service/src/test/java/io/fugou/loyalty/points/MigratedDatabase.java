package io.fugou.loyalty.points;

import io.fugou.infra.LocalPostgres;
import io.fugou.testsupport.TestInfrastructure;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactoryOptions;
import org.flywaydb.core.Flyway;
import org.springframework.r2dbc.core.DatabaseClient;

/** A database of its own for a test, migrated by loyalty-service's migrations (to a version, or to the latest). */
public record MigratedDatabase(LocalPostgres.Database database) {

    public static MigratedDatabase create(String purpose) {
        return new MigratedDatabase(TestInfrastructure.get().database(purpose + "_" + Long.toString(System.nanoTime(), 36)));
    }

    public MigratedDatabase migrate(String target) {
        Flyway.configure().dataSource(database.jdbcUrl(), database.user(), database.password()).target(target).load().migrate();
        return this;
    }

    /** As the service reaches its database: R2DBC, with the platform's binary arrays (a driver extension). */
    public DatabaseClient client() {
        return DatabaseClient.create(ConnectionFactories.get(ConnectionFactoryOptions.parse(database.r2dbcUrl()).mutate()
                .option(ConnectionFactoryOptions.USER, database.user()).option(ConnectionFactoryOptions.PASSWORD, database.password()).build()));
    }
}
