package io.fugou.platform.locks;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.util.DigestUtils;
import reactor.core.publisher.Mono;

/**
 * Transaction-scoped PostgreSQL advisory locks on 64-bit keys computed here from a purpose and a name, taken in the keys'
 * own order in one statement, so two writers sharing names take them in one order and cannot deadlock on them (sorting by
 * name would not do: keys of different names may sort otherwise). PostgreSQL's lock manager queues a shared request
 * behind a waiting exclusive one, so shared holders cannot starve an exclusive waiter (row share locks can).
 */
public final class AdvisoryLocks {

    private AdvisoryLocks() {
    }

    /** Locks the names for {@code purpose} until the caller's transaction ends, exclusively or shared. */
    public static Mono<Void> lock(DatabaseClient db, String purpose, Collection<String> names, boolean exclusive) {
        Long[] keys = names.stream().map(name -> key(purpose, name)).distinct().sorted().toArray(Long[]::new);
        if (keys.length == 0) {
            return Mono.empty();
        }
        return db.sql("select " + (exclusive ? "pg_advisory_xact_lock" : "pg_advisory_xact_lock_shared")
                        + "(u.lock_key) from unnest(cast(:keys as bigint[])) with ordinality as u(lock_key, n) order by u.n")
                .bind("keys", keys)
                .fetch().all().then();
    }

    static long key(String purpose, String name) {
        return ByteBuffer.wrap(DigestUtils.md5Digest((purpose + ":" + name).getBytes(StandardCharsets.UTF_8))).getLong();
    }
}
