package io.fugou.platform.kafka;

import io.fugou.serde.avro.SchemaRegistryException;
import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTransientException;
import java.net.ConnectException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;

/**
 * Tells failures that pass by themselves (the registry or the database unreachable, overloaded or
 * slow) from those that never will. A consumer waits out the first kind, holding its partition, and
 * dead-letters only the second: a record parked because of an outage would break per-member order.
 */
public final class TransientFailures {

    /** What kind of outage a transient failure is, for metrics and health (NETWORK includes Kafka's own retriable errors). */
    public enum Kind { SCHEMA_REGISTRY, DATABASE, NETWORK }

    private TransientFailures() {
    }

    public static boolean isTransient(Throwable failure) {
        return kindOf(failure) != null;
    }

    /** The kind of outage behind the failure, or null when retrying cannot help. */
    public static Kind kindOf(Throwable failure) {
        // Where the database sent its own code, the code decides. The PostgreSQL driver files every code it does not list
        // (an index row too large, 54000, say) as a "non-transient resource" failure, which Spring makes a resource failure:
        // by their types those would be waited out for ever. Only a failure without a code (a connection refused) goes by type.
        Set<Throwable> codes = new HashSet<>();
        for (Throwable cause = failure; cause != null && codes.add(cause); cause = cause.getCause()) {
            if (cause instanceof R2dbcException r2dbc && r2dbc.getSqlState() != null && !r2dbc.getSqlState().isBlank()) {
                return isTransientSqlState(r2dbc.getSqlState()) ? Kind.DATABASE : null;
            }
        }
        Set<Throwable> seen = new HashSet<>();
        for (Throwable cause = failure; cause != null && seen.add(cause); cause = cause.getCause()) {
            if (cause instanceof SchemaRegistryException registry) {
                // 404 "schema not found" is the registry's confirmed answer: that record can never be read.
                return registry.isRetryable() ? Kind.SCHEMA_REGISTRY : null;
            }
            if (cause instanceof InvalidEventException) {
                return null;
            }
            if (cause instanceof R2dbcTransientException || cause instanceof R2dbcNonTransientResourceException
                    || cause instanceof R2dbcException r2dbc && isTransientSqlState(r2dbc.getSqlState())
                    || cause instanceof TransientDataAccessException || cause instanceof DataAccessResourceFailureException
                    || cause instanceof RecoverableDataAccessException) {
                return Kind.DATABASE;
            }
            if (cause instanceof TimeoutException || cause instanceof ConnectException || cause instanceof SocketException
                    || cause instanceof ClosedChannelException || cause instanceof org.apache.kafka.common.errors.RetriableException) {
                return Kind.NETWORK;
            }
        }
        return null;
    }

    /**
     * SQLSTATEs that describe the server's state, not the statement: connection exceptions (08),
     * transaction rollbacks such as serialization failures and deadlocks (40), insufficient resources
     * (53), operator intervention such as a restart or a statement timeout (57), a lock not available
     * within the lock timeout (55P03), and a read-only transaction (25006: connected to a standby
     * during a failover).
     */
    private static boolean isTransientSqlState(String sqlState) {
        return sqlState != null && (sqlState.startsWith("08") || sqlState.startsWith("40") || sqlState.startsWith("53")
                || sqlState.startsWith("57") || sqlState.equals("55P03") || sqlState.equals("25006"));
    }
}
