package io.fugou.platform.web.paging;

import org.springframework.core.MethodParameter;
import org.springframework.web.reactive.BindingContext;
import org.springframework.web.reactive.result.method.HandlerMethodArgumentResolver;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** Resolves a {@link PageRequest} handler parameter from the {@code limit} and {@code cursor} query parameters. */
public class PageRequestArgumentResolver implements HandlerMethodArgumentResolver {

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return PageRequest.class.equals(parameter.getParameterType());
    }

    @Override
    public Mono<Object> resolveArgument(MethodParameter parameter, BindingContext bindingContext, ServerWebExchange exchange) {
        var query = exchange.getRequest().getQueryParams();
        return Mono.fromCallable(() -> PageRequest.of(query.getFirst("limit"), query.getFirst("cursor")));
    }
}
