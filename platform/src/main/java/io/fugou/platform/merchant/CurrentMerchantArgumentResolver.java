package io.fugou.platform.merchant;

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

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return MerchantId.class.equals(parameter.getParameterType());
    }

    @Override
    public Mono<Object> resolveArgument(MethodParameter parameter, BindingContext bindingContext, ServerWebExchange exchange) {
        return exchange.getPrincipal()
                .filter(JwtAuthenticationToken.class::isInstance)
                .map(principal -> (Object) new MerchantId(((JwtAuthenticationToken) principal).getToken().getClaimAsString(MERCHANT_CLAIM)))
                .switchIfEmpty(Mono.error(() -> new ResponseStatusException(HttpStatus.UNAUTHORIZED, "a bearer token with a merchant_id claim is required")));
    }
}
