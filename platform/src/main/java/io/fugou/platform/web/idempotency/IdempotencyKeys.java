package io.fugou.platform.web.idempotency;

import io.fugou.platform.config.PlatformTable;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Mono;

/**
 * The keys merchants have used and the responses they got, per merchant, in the service's own
 * PostgreSQL ({@code fugou_idempotency_key}). Every statement runs in the transaction of the request
 * it belongs to, so a key is recorded if and only if the request's changes are.
 */
public class IdempotencyKeys {

    /** A response as first given, to be given again. */
    public record StoredResponse(String requestHash, int status, String contentType, String location, byte[] body) {
    }

    private final DatabaseClient db;
    private final Clock clock;
    private final Duration retention;
    private final PlatformTable table;

    public IdempotencyKeys(DatabaseClient db, Clock clock, Duration retention) {
        this.db = db;
        this.table = new PlatformTable(db, "fugou_idempotency_key", """
                create table if not exists fugou_idempotency_key (
                    merchant_id     text        not null,
                    idempotency_key text        not null,
                    request_hash    text        not null,
                    status          int,
                    content_type    text,
                    location        text,
                    body            bytea,
                    created_at      timestamptz not null,
                    expires_at      timestamptz not null,
                    primary key (merchant_id, idempotency_key));
                create index if not exists fugou_idempotency_key_expiry on fugou_idempotency_key (expires_at);""");
        this.clock = clock;
        this.retention = retention;
    }

    /** Creates the table on first use ({@link PlatformTable}). */
    public Mono<Void> ensureSchema() {
        return table.ensure();
    }

    /**
     * Claims the key for this request, or finds it used. A concurrent request with the same key waits
     * here, on the row's lock, until the first one's transaction ends; then it sees that one's answer.
     *
     * @return empty when the caller now owns the key (new, or expired and taken over); otherwise what
     *         the key is stored with (a response of a committed request)
     */
    public Mono<Optional<StoredResponse>> claim(String merchantId, String key, String requestHash) {
        OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
        return db.sql("""
                    insert into fugou_idempotency_key (merchant_id, idempotency_key, request_hash, created_at, expires_at)
                    values (:merchant, :key, :hash, :now, :expires)
                    on conflict (merchant_id, idempotency_key) do update
                        set request_hash = excluded.request_hash, status = null, content_type = null, location = null,
                            body = null, created_at = excluded.created_at, expires_at = excluded.expires_at
                        where fugou_idempotency_key.expires_at <= :now""")
            .bind("merchant", merchantId).bind("key", key).bind("hash", requestHash)
            .bind("now", now).bind("expires", now.plus(retention))
            .fetch().rowsUpdated()
            .flatMap(claimed -> claimed > 0 ? Mono.just(Optional.<StoredResponse>empty()) : stored(merchantId, key).map(Optional::of));
}

private Mono<StoredResponse> stored(String merchantId, String key) {
        return db.sql("""
                    select request_hash, status, content_type, location, body from fugou_idempotency_key
                    where merchant_id = :merchant and idempotency_key = :key""")
            .bind("merchant", merchantId).bind("key", key)
            .map((row, meta) -> new StoredResponse(row.get("request_hash", String.class),
                    row.get("status", Integer.class) == null ? 0 : row.get("status", Integer.class),
                    row.get("content_type", String.class), row.get("location", String.class), bytes(row.get("body", ByteBuffer.class))))
            .one();
}

/** Records the response the key's request got; in the request's transaction. */
public Mono<Void> complete(String merchantId, String key, int status, String contentType, String location, byte[] body) {
        return db.sql("""
                    update fugou_idempotency_key set status = :status, content_type = :contentType, location = :location, body = :body
                    where merchant_id = :merchant and idempotency_key = :key""")
            .bind("status", status)
            .bind("contentType", Optional.ofNullable(contentType).orElse(""))
            .bind("location", Optional.ofNullable(location).orElse(""))
            .bind("body", ByteBuffer.wrap(body))
            .bind("merchant", merchantId).bind("key", key)
            .then();
}

/** Forgets keys past their retention; safe on every instance at once. */
public Mono<Long> deleteExpired() {
    return ensureSchema().then(db.sql("delete from fugou_idempotency_key where expires_at < :now")
            .bind("now", OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC))
            .fetch().rowsUpdated());
}

private static byte[] bytes(ByteBuffer buffer) {
    if (buffer == null) {
        return new byte[0];
    }
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
}
}
