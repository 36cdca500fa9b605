package io.fugou.platform.web.idempotency;

import io.fugou.platform.merchant.CurrentMerchantArgumentResolver;
import io.fugou.platform.web.ProblemResponses;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.reactivestreams.Publisher;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Honours the {@code Idempotency-Key} header on every write (POST, PUT, PATCH, DELETE) of every
 * service, for the merchant of the token:
 * <ul>
 * <li>the first request with a key runs in one database transaction together with the key's record
 * and its response: either the request's changes and its response are both kept, or neither;</li>
 * <li>the same key with the same request (method, path, query, body) gets the first response again
 * (status, body, {@code Location}) with {@code Idempotent-Replayed: true}, and changes nothing;</li>
 * <li>the same key with another request gets 422;</li>
 * <li>a concurrent request with the same key waits for the first one's transaction, then gets its
 * response: two requests with one key never both write;</li>
 * <li>a request that fails (4xx or 5xx) keeps nothing, neither its changes nor the key, so a retry runs
 * again: a nested transaction that rolled back only marks the shared one, and committing a 4xx
 * would keep the writes made before the refusal.</li>
 * </ul>
 * The response reaches the client only after the transaction committed; it is kept in memory until
 * then, so a keyed response (like a keyed request) may be at most {@code fugou.idempotency.max-body-bytes}
 * long, or the request fails and keeps nothing. A replay gives the status, body, Content-Type and
 * Location, not other headers. Keys are kept {@code fugou.idempotency.retention} (30 days).
 * Requests without the header are not touched.
 */
public class IdempotencyFilter implements WebFilter, Ordered {

    public static final String HEADER = "Idempotency-Key";
    public static final String REPLAYED_HEADER = "Idempotent-Replayed";
    private static final Set<HttpMethod> WRITES = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE);
    private static final int MAX_KEY_LENGTH = 255;

    private final IdempotencyKeys keys;
    private final TransactionalOperator transactions;
    private final int maxBodyBytes;

    public IdempotencyFilter(IdempotencyKeys keys, TransactionalOperator transactions, int maxBodyBytes) {
        this.keys = keys;
        this.transactions = transactions;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** After security, which resolves the merchant. */
    @Override
    public int getOrder() {
        return 0;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String key = exchange.getRequest().getHeaders().getFirst(HEADER);
        if (key == null || !WRITES.contains(exchange.getRequest().getMethod())) {
            return chain.filter(exchange);
        }
        if (key.isBlank() || key.length() > MAX_KEY_LENGTH || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            return ProblemResponses.write(exchange, HttpStatus.BAD_REQUEST, "Invalid request",
                    "The Idempotency-Key header must be 1-" + MAX_KEY_LENGTH + " visible ASCII characters, such as a UUID.", HEADER);
        }
        return exchange.getPrincipal()
                .map(CurrentMerchantArgumentResolver::merchantClaim)
                .defaultIfEmpty(Optional.empty())
                .flatMap(merchant -> merchant.isEmpty() ? chain.filter(exchange)
                        : DataBufferUtils.join(exchange.getRequest().getBody(), maxBodyBytes)
                                .map(IdempotencyFilter::drain)
                                .defaultIfEmpty(new byte[0])
                                .onErrorMap(org.springframework.core.io.buffer.DataBufferLimitException.class,
                                        e -> new BodyTooLarge())
                                .flatMap(body -> keyed(exchange, chain, merchant.get(), key, body))
                                .onErrorResume(BodyTooLarge.class, e -> ProblemResponses.write(exchange, HttpStatus.PAYLOAD_TOO_LARGE,
                                        "Payload Too Large", "A request with an Idempotency-Key may carry at most " + maxBodyBytes + " bytes.")));
    }

    private Mono<Void> keyed(ServerWebExchange exchange, WebFilterChain chain, String merchant, String key, byte[] body) {
        String hash = hash(exchange.getRequest(), body);
        ServerHttpResponse response = exchange.getResponse();
        CapturingResponse capture = new CapturingResponse(response, maxBodyBytes);
        ServerWebExchange captured = exchange.mutate().request(new ReplayableRequest(exchange.getRequest(), body)).response(capture).build();
        Mono<Outcome> inTransaction = transactions.execute(transaction -> keys.claim(merchant, key, hash)
                .flatMap(stored -> {
                    if (stored.isPresent()) {
                        return Mono.just(Outcome.used(stored.get()));
                    }
                    return chain.filter(captured).then(Mono.defer(() -> {
                        int status = capture.statusValue();
                        if (status >= 400) {
                            transaction.setRollbackOnly();
                            return Mono.just(Outcome.ran());
                        }
                        return keys.complete(merchant, key, status, capture.contentType(), capture.location(), capture.body())
                                .thenReturn(Outcome.ran());
                    }));
                })).single();
        return keys.ensureSchema().then(inTransaction).flatMap(outcome -> {
            if (outcome.stored() == null) {
                return capture.release();
            }
            IdempotencyKeys.StoredResponse stored = outcome.stored();
            if (!stored.requestHash().equals(hash)) {
                return ProblemResponses.write(exchange, HttpStatus.UNPROCESSABLE_CONTENT, "Idempotency-Key reused",
                        "This Idempotency-Key was already used for a different request; use a new key for a new request.", HEADER);
            }
            return replay(response, stored);
        });
    }

    private static Mono<Void> replay(ServerHttpResponse response, IdempotencyKeys.StoredResponse stored) {
        response.setStatusCode(HttpStatusCode.valueOf(stored.status()));
        HttpHeaders headers = response.getHeaders();
        if (!stored.contentType().isEmpty()) {
            headers.setContentType(MediaType.parseMediaType(stored.contentType()));
        }
        if (!stored.location().isEmpty()) {
            headers.set(HttpHeaders.LOCATION, stored.location());
        }
        headers.set(REPLAYED_HEADER, "true");
        return response.writeWith(Mono.just(response.bufferFactory().wrap(stored.body())));
    }

    /** Method, path, query and body: what makes two requests "the same request". */
    static String hash(ServerHttpRequest request, byte[] body) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((request.getMethod().name() + " " + request.getURI().getRawPath() + "?"
                    + Optional.ofNullable(request.getURI().getRawQuery()).orElse("") + "\n").getBytes(StandardCharsets.UTF_8));
            sha.update(body);
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] drain(DataBuffer buffer) {
        try {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            return bytes;
        } finally {
            DataBufferUtils.release(buffer);
        }
    }

    private record Outcome(IdempotencyKeys.StoredResponse stored) {
        static Outcome used(IdempotencyKeys.StoredResponse stored) {
            return new Outcome(stored);
        }

        static Outcome ran() {
            return new Outcome(null);
        }
    }

    private static final class BodyTooLarge extends RuntimeException {
        BodyTooLarge() {
            super(null, null, false, false);
        }
    }

    /** The request with its body read once, handed to the handler again. */
    private static final class ReplayableRequest extends ServerHttpRequestDecorator {
        private final byte[] body;

        ReplayableRequest(ServerHttpRequest delegate, byte[] body) {
            super(delegate);
            this.body = body;
        }

        @Override
        public Flux<DataBuffer> getBody() {
            return Flux.defer(() -> Flux.just(bufferFactory().wrap(body)));
        }

        private org.springframework.core.io.buffer.DataBufferFactory bufferFactory() {
            return org.springframework.core.io.buffer.DefaultDataBufferFactory.sharedInstance;
        }
    }

    /**
     * Holds the handler's response body back until the transaction has committed, so a client never
     * sees a success that was rolled back; then {@link #release} writes it.
     */
    private static final class CapturingResponse extends ServerHttpResponseDecorator {
        private final AtomicReference<byte[]> body = new AtomicReference<>(new byte[0]);
        private final int maxBytes;

        CapturingResponse(ServerHttpResponse delegate, int maxBytes) {
            super(delegate);
            this.maxBytes = maxBytes;
        }

        @Override
        public Mono<Void> writeWith(Publisher<? extends DataBuffer> content) {
            return DataBufferUtils.join(Flux.from(content), maxBytes).map(IdempotencyFilter::drain).doOnNext(body::set).then();
        }

        @Override
        public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> content) {
            return writeWith(Flux.from(content).flatMapSequential(Flux::from));
        }

        @Override
        public Mono<Void> setComplete() {
            return Mono.empty();
        }

        int statusValue() {
            return getStatusCode() == null ? 200 : getStatusCode().value();
        }

        String contentType() {
            MediaType type = getHeaders().getContentType();
            return type == null ? null : type.toString();
        }

        String location() {
            return getHeaders().getFirst(HttpHeaders.LOCATION);
        }

        byte[] body() {
            return body.get();
        }

        Mono<Void> release() {
            byte[] bytes = body.get();
            ServerHttpResponse delegate = getDelegate();
            return bytes.length == 0 ? delegate.setComplete() : delegate.writeWith(Mono.just(delegate.bufferFactory().wrap(bytes)));
        }
    }
}
