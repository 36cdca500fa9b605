package io.fugou.platform.config;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.NoTransactionException;
import org.springframework.transaction.reactive.TransactionSynchronization;
import org.springframework.transaction.reactive.TransactionSynchronizationManager;
import reactor.core.publisher.Mono;

/**
 * A table of the platform's own in a service's database (idempotency keys, member sequences, the outbox,
 * daily runs), created on first use rather than by the service's Flyway migrations, whose version numbers
 * are the service's own. The DDL runs once per process, in one DO block (one transaction) under an
 * advisory lock, so instances starting together do not race; after a failure (the database down) the next
 * use tries again. Inside a transaction the DDL commits with it, so the table counts as made only after that commit:
 * until then another transaction of this process runs the block too, waits on the lock, and finds the table made.
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
        return db.sql("do $$ begin\nperform pg_advisory_xact_lock(hashtext('" + name + "'));\n" + ddl + "\nend $$").then()
                .then(TransactionSynchronizationManager.forCurrentTransaction().flatMap(this::readyOnCommit)
                        .onErrorResume(NoTransactionException.class, outsideATransaction -> {
                            ready = true; // the DDL committed on its own
                            return Mono.empty();
                        }));
    }

    private Mono<Void> readyOnCommit(TransactionSynchronizationManager transaction) {
        if (transaction.isSynchronizationActive()) {
            transaction.registerSynchronization(new TransactionSynchronization() {
                @Override
                public Mono<Void> afterCommit() {
                    ready = true;
                    return Mono.empty();
                }
            });
        } else if (!transaction.isActualTransactionActive()) {
            ready = true;
        } // else a transaction that cannot tell when it commits: the next use runs the block again
        return Mono.empty();
    }
}
