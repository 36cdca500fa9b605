package io.fugou.platform.web;

import io.fugou.platform.kafka.TransientFailures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;

/**
 * A passing failure outside the controllers (the idempotency filter claiming a key in its own transaction, say) gets the
 * same answer as one inside them ({@link ProblemDetailsHandler}): 503 with {@code Retry-After}, not the framework's bare 500.
 */
@Order(-2)
public class TransientFailureHandler implements WebExceptionHandler {

    static final String TITLE = "Temporarily unavailable";
    static final String DETAIL = "The request could not be completed just now; send it again in a moment.";
    static final String RETRY_AFTER_SECONDS = "1";

    private static final Logger log = LoggerFactory.getLogger(TransientFailureHandler.class);

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
        if (!TransientFailures.isTransient(ex) || exchange.getResponse().isCommitted()) {
            return Mono.error(ex);
        }
        log.warn("Transient failure on {} {}: {}", exchange.getRequest().getMethod(), exchange.getRequest().getPath(), ex.toString());
        exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
        return ProblemResponses.write(exchange, HttpStatus.SERVICE_UNAVAILABLE, TITLE, DETAIL);
    }
}
