package io.fugou.platform.security;

import org.springframework.security.config.web.server.ServerHttpSecurity;

/**
 * A service's rules for which scope each endpoint needs, e.g.
 * {@code spec.pathMatchers(HttpMethod.GET, "/api/v1/points/**").hasAuthority("SCOPE_loyalty:read")}.
 * Applied before the platform's catch-all "authenticated" rule.
 */
@FunctionalInterface
public interface EndpointScopes {
    void configure(ServerHttpSecurity.AuthorizeExchangeSpec spec);
}
