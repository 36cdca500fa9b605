package io.fugou.platform.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.fugou.infra.LocalInfrastructure;
import io.fugou.infra.LocalPostgres;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryOptions;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.r2dbc.connection.R2dbcTransactionManager;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** A platform table first needed inside one transaction is there for every other transaction of the process at once. */
class PlatformTableIT {

    private final ConnectionFactory connections = connections();
    private final DatabaseClient db = DatabaseClient.create(connections);
    private final TransactionalOperator transactional = TransactionalOperator.create(new R2dbcTransactionManager(connections));

    @Test
    void aTableMadeInsideOneTransactionIsThereForAnotherWhileTheFirstIsStillOpen() throws Exception {
        String name = "platform_table_" + UUID.randomUUID().toString().replace("-", "");
        PlatformTable table = new PlatformTable(db, name, "create table if not exists " + name + " (id int);");
        CountDownLatch made = new CountDownLatch(1);
        Sinks.Empty<Void> commit = Sinks.empty();

        // The first transaction makes the table, then stays open (a pipeline's batch still writing, a daily job's rounds).
        CompletableFuture<Void> first = transactional.transactional(table.ensure().doOnSuccess(done -> made.countDown()).then(commit.asMono()))
                .toFuture();
        assertThat(made.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(table.ready()).as("made and committed, whatever the first transaction does next").isTrue();
        Long inserted = transactional.transactional(table.ensure().then(db.sql("insert into " + name + " values (1)").fetch().rowsUpdated()))
                .block(Duration.ofSeconds(10));
        commit.tryEmitEmpty();

        assertThat(inserted).isEqualTo(1);
        first.get(30, TimeUnit.SECONDS);
        assertThat(db.sql("select count(*) from " + name).map(row -> row.get(0, Long.class)).one().block(Duration.ofSeconds(30))).isEqualTo(1);
    }

    private static ConnectionFactory connections() {
        LocalPostgres.Database database = LocalInfrastructure.shared().postgres().database("platform_table_test");
        return ConnectionFactories.get(ConnectionFactoryOptions.parse(database.r2dbcUrl()).mutate()
                .option(ConnectionFactoryOptions.USER, database.user()).option(ConnectionFactoryOptions.PASSWORD, database.password()).build());
    }
}
