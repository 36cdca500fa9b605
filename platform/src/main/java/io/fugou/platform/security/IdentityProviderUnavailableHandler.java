package io.fugou.platform.security;

import io.fugou.platform.web.ProblemResponses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.oauth2.jwt.JwtDecoderInitializationException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;

/**
 * When tokens cannot be verified because the identity provider is unreachable, the caller's token
 * is not at fault: answer 503 (retry later) as a problem detail, not 401 and not a bare 500.
 */
@Order(-2)
public class IdentityProviderUnavailableHandler implements WebExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(IdentityProviderUnavailableHandler.class);

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
        if (!(ex instanceof JwtDecoderInitializationException || ex instanceof AuthenticationServiceException)
                || exchange.getResponse().isCommitted()) {
            return Mono.error(ex);
        }
        log.warn("Cannot verify bearer tokens: {}", ex.getMessage());
        exchange.getResponse().getHeaders().set("Retry-After", "5");
        return ProblemResponses.write(exchange, HttpStatus.SERVICE_UNAVAILABLE, "Service Unavailable",
                "Tokens cannot be verified right now (the identity provider is unreachable); retry shortly.");
    }
}
