package io.fugou.platform.merchant;

import java.security.Principal;
import java.util.Optional;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpStatus;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.reactive.BindingContext;
import org.springframework.web.reactive.result.method.HandlerMethodArgumentResolver;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** Resolves a {@link MerchantId} handler parameter from the authenticated token. */
public class CurrentMerchantArgumentResolver implements HandlerMethodArgumentResolver {

    public static final String MERCHANT_CLAIM = "merchant_id";

    /** The {@code merchant_id} claim of an authenticated bearer token; empty for anything else. */
    public static Optional<String> merchantClaim(Principal principal) {
        return principal instanceof JwtAuthenticationToken token
                ? Optional.ofNullable(token.getToken().getClaimAsString(MERCHANT_CLAIM))
                : Optional.empty();
    }

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return MerchantId.class.equals(parameter.getParameterType());
    }

    @Override
    public Mono<Object> resolveArgument(MethodParameter parameter, BindingContext bindingContext, ServerWebExchange exchange) {
        return exchange.getPrincipal()
                .flatMap(principal -> Mono.justOrEmpty(merchantClaim(principal)))
                .map(merchant -> (Object) new MerchantId(merchant))
                .switchIfEmpty(Mono.error(() -> new ResponseStatusException(HttpStatus.UNAUTHORIZED, "a bearer token with a merchant_id claim is required")));
    }
}
