package io.fugou.platform.locks;

import io.fugou.events.MemberKey;
import java.util.Collection;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Mono;

/**
 * Transaction-scoped locks on members for work that has no row of its own to lock (a buyer's profile before they are a
 * member, a member's contacts across campaigns): exclusive {@link AdvisoryLocks} on the members, in one order.
 */
public final class MemberLocks {

    private MemberLocks() {
    }

    /** Locks the members for {@code purpose} until the caller's transaction ends. */
    public static Mono<Void> lock(DatabaseClient db, String purpose, Collection<MemberKey> members) {
        return AdvisoryLocks.lock(db, purpose, members.stream().map(MemberKey::toString).toList(), true);
    }
}
