package io.fugou.platform.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.fugou.platform.PlatformIntegrationTest;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.security.LocalTokens;
import io.fugou.platform.web.idempotency.IdempotencyFilter;
import io.fugou.platform.web.idempotency.IdempotencyKeys;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Idempotency-Key on writes, against the real PostgreSQL the keys and the writes share. */
@PlatformIntegrationTest
class IdempotencyIT {

    @Autowired
    private WebTestClient web;

    @Autowired
    private LocalTokens localTokens;

    @Autowired
    private DatabaseClient db;

    private String token(String merchant) {
        return localTokens.issue(new MerchantId(merchant), List.of("widgets:write"), Duration.ofMinutes(5)).token();
    }

    private EntityExchangeResult<byte[]> create(String merchant, String key, Map<String, Object> body) {
        // The first keyed request of a JVM also creates the key table: more than the client's default 5 s on a busy machine.
        return web.mutate().responseTimeout(Duration.ofSeconds(30)).build().post().uri("/api/v1/widgets")
                .headers(h -> {
                    h.setBearerAuth(token(merchant));
                    h.set(IdempotencyFilter.HEADER, key);
                })
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange()
                .expectBody().returnResult();
    }

    private long widgetsNamed(String name) {
        return db.sql("select count(*) as n from widget where name = :name").bind("name", name)
                .map((row, meta) -> row.get("n", Long.class)).one().blockOptional().orElse(0L);
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    @Test
    void shouldReplayTheFirstResponseToTheSameRequestAndWriteOnce() {
        String key = unique("key");
        String name = unique("widget");

        EntityExchangeResult<byte[]> first = create("merchant-a", key, Map.of("name", name));
        EntityExchangeResult<byte[]> again = create("merchant-a", key, Map.of("name", name));

        assertThat(first.getStatus()).isEqualTo(HttpStatus.CREATED);
        assertThat(again.getStatus()).isEqualTo(HttpStatus.CREATED);
        assertThat(again.getResponseBody()).isEqualTo(first.getResponseBody());
        assertThat(again.getResponseHeaders().getLocation()).isEqualTo(first.getResponseHeaders().getLocation());
        assertThat(again.getResponseHeaders().getFirst(IdempotencyFilter.REPLAYED_HEADER)).isEqualTo("true");
        assertThat(first.getResponseHeaders().getFirst(IdempotencyFilter.REPLAYED_HEADER)).isNull();
        assertThat(widgetsNamed(name)).isEqualTo(1);
    }

    @Test
    void shouldRefuseTheSameKeyForAnotherRequestNamingTheHeader() {
        String key = unique("key");
        create("merchant-a", key, Map.of("name", unique("widget")));

        web.post().uri("/api/v1/widgets")
                .headers(h -> {
                    h.setBearerAuth(token("merchant-a"));
                    h.set(IdempotencyFilter.HEADER, key);
                })
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", unique("another")))
                .exchange()
                .expectStatus().isEqualTo(422)
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.errors[0].field").isEqualTo(IdempotencyFilter.HEADER);
    }

    @Test
    void shouldKeepKeysPerMerchant() {
        String key = unique("key");
        String name = unique("widget");

        create("merchant-a", key, Map.of("name", name));
        EntityExchangeResult<byte[]> otherMerchant = create("merchant-b", key, Map.of("name", name));

        assertThat(otherMerchant.getStatus()).isEqualTo(HttpStatus.CREATED);
        assertThat(otherMerchant.getResponseHeaders().getFirst(IdempotencyFilter.REPLAYED_HEADER)).isNull();
        assertThat(widgetsNamed(name)).isEqualTo(2);
    }

    @Test
    void shouldNeverLetTwoConcurrentRequestsWithOneKeyBothWrite() throws Exception {
        String key = unique("key");
        String name = unique("widget");
        int requests = 6;
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<EntityExchangeResult<byte[]>>> results = java.util.stream.IntStream.range(0, requests)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return create("merchant-a", key, Map.of("name", name));
                }))
                .toList();

        start.countDown();

        List<EntityExchangeResult<byte[]>> responses = results.stream().map(CompletableFuture::join).toList();
        assertThat(responses).allSatisfy(response -> assertThat(response.getStatus()).isEqualTo(HttpStatus.CREATED));
        assertThat(responses).extracting(EntityExchangeResult::getResponseBody)
                .allSatisfy(body -> assertThat(body).isEqualTo(responses.get(0).getResponseBody()));
        assertThat(widgetsNamed(name)).isEqualTo(1);
    }

    @Test
    void shouldKeepNeitherTheWriteNorTheKeyWhenTheRequestFailsOnOurSide() {
        String key = unique("key");
        String name = unique("widget");

        EntityExchangeResult<byte[]> failed = create("merchant-a", key, Map.of("name", name, "fail", true));
        assertThat(failed.getStatus()).isEqualTo(HttpStatus.INTERNAL_SERVER_ERROR);
        assertThat(widgetsNamed(name)).as("the write before the failure is rolled back with the request").isZero();

        EntityExchangeResult<byte[]> retried = create("merchant-a", key, Map.of("name", name));
        assertThat(retried.getStatus()).isEqualTo(HttpStatus.CREATED);
        assertThat(retried.getResponseHeaders().getFirst(IdempotencyFilter.REPLAYED_HEADER)).isNull();
        assertThat(widgetsNamed(name)).isEqualTo(1);
    }

    @Test
    void shouldForgetAKeyOnceItsRetentionHasPassed() {
        Instant firstUse = Instant.parse("2026-01-01T00:00:00Z");
        IdempotencyKeys thatDay = new IdempotencyKeys(db, Clock.fixed(firstUse, ZoneOffset.UTC), Duration.ofDays(30));
        IdempotencyKeys monthLater = new IdempotencyKeys(db, Clock.fixed(firstUse.plus(Duration.ofDays(31)), ZoneOffset.UTC), Duration.ofDays(30));
        String key = unique("key");
        thatDay.ensureSchema().block();

        assertThat(thatDay.claim("merchant-x", key, "first-request").block()).as("a new key is claimed").isEmpty();
        thatDay.complete("merchant-x", key, 201, "application/json", null, "{}".getBytes()).block();
        assertThat(thatDay.claim("merchant-x", key, "second-request").block()).as("within its retention the key is used")
                .hasValueSatisfying(stored -> assertThat(stored.requestHash()).isEqualTo("first-request"));
        assertThat(monthLater.claim("merchant-x", key, "second-request").block()).as("after it, the key is new again").isEmpty();
    }

    @Test
    void shouldNameTheHeaderWhenTheKeyIsNotUsable() {
        web.post().uri("/api/v1/widgets")
                .headers(h -> {
                    h.setBearerAuth(token("merchant-a"));
                    h.set(IdempotencyFilter.HEADER, "x".repeat(300));
                })
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "w"))
                .exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo(IdempotencyFilter.HEADER);
    }
}
