package io.fugou.platform.config;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Wrapped;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A table of the platform's own in a service's database (idempotency keys, member sequences, the outbox,
 * daily runs), created on first use rather than by the service's Flyway migrations, whose version numbers
 * are the service's own. The DDL runs once per process, in one DO block (one transaction) under an
 * advisory lock, so instances starting together do not race; after a failure (the database down) the next
 * use tries again.
 *
 * <p>The DDL runs on a connection of its own, outside the caller's transaction, and commits before the table counts
 * as made. Inside the caller's transaction it would commit only with it: another transaction of the process would
 * either find the table missing (it counted as made too soon) or wait on the lock for as long as that transaction
 * lasted (a daily job's, minutes). The connection comes from the pool's own factory, not the pool, so it cannot
 * wait for a pool whose connections are held by callers waiting for it.
 */
public final class PlatformTable {

    private final DatabaseClient db;
    private final String name;
    private final String ddl;
    private volatile boolean ready;

    /** {@code ddl}: idempotent statements ({@code create table if not exists ...}), each ending with a semicolon. */
    public PlatformTable(DatabaseClient db, String name, String ddl) {
        this.db = db;
        this.name = name;
        this.ddl = ddl;
    }

    public Mono<Void> ensure() {
        if (ready) {
            return Mono.empty();
        }
        String block = "do $$ begin\nperform pg_advisory_xact_lock(hashtext('" + name + "'));\n" + ddl + "\nend $$";
        return Mono.usingWhen(Mono.from(unpooled(db.getConnectionFactory()).create()),
                        connection -> Flux.from(connection.createStatement(block).execute()).flatMap(Result::getRowsUpdated).then(),
                        Connection::close)
                .doOnSuccess(done -> ready = true);
    }

    /** Whether the table is known to be made and committed in this process. */
    boolean ready() {
        return ready;
    }

    private static ConnectionFactory unpooled(ConnectionFactory factory) {
        ConnectionFactory current = factory;
        while (current instanceof Wrapped<?> wrapped && wrapped.unwrap() instanceof ConnectionFactory inner && inner != current) {
            current = inner;
        }
        return current;
    }
}
