package io.fugou.platform.locks;

import io.fugou.events.MemberKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.util.DigestUtils;
import reactor.core.publisher.Mono;

/**
 * Transaction-scoped locks on members for work that has no row of its own to lock (a buyer's profile before they are a
 * member, a member's contacts across campaigns): PostgreSQL advisory locks on 64-bit keys computed here from a purpose and
 * the member, taken in the keys' own order in one statement, so two writers sharing members take them in one order and
 * cannot deadlock on them (sorting by member would not do: keys of different members may sort otherwise).
 */
public final class MemberLocks {

    private MemberLocks() {
    }

    /** Locks the members for {@code purpose} until the caller's transaction ends. */
    public static Mono<Void> lock(DatabaseClient db, String purpose, Collection<MemberKey> members) {
        Long[] keys = members.stream().map(member -> key(purpose, member)).distinct().sorted().toArray(Long[]::new);
        if (keys.length == 0) {
            return Mono.empty();
        }
        return db.sql("select pg_advisory_xact_lock(u.lock_key) from unnest(cast(:keys as bigint[])) with ordinality as u(lock_key, n) order by u.n")
                .bind("keys", keys)
                .fetch().all().then();
    }

    static long key(String purpose, MemberKey member) {
        return ByteBuffer.wrap(DigestUtils.md5Digest((purpose + ":" + member).getBytes(StandardCharsets.UTF_8))).getLong();
    }
}
