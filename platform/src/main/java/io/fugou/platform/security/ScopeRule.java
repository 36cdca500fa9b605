package io.fugou.platform.security;

import java.util.Objects;
import org.springframework.http.HttpMethod;

/**
 * One rule of a service's API: requests with this method (any method when null) to paths matching
 * this pattern need a token carrying this scope, e.g. {@code ScopeRule.of(GET, "/api/v1/points/**", "loyalty:read")}.
 */
public record ScopeRule(HttpMethod method, String pathPattern, String scope) {

    public ScopeRule {
        Objects.requireNonNull(pathPattern, "pathPattern");
        if (scope == null || scope.isBlank() || scope.startsWith("SCOPE_")) {
            throw new IllegalArgumentException("a scope is the token's scope value, such as loyalty:read, but was '" + scope + "'");
        }
    }

    public static ScopeRule of(HttpMethod method, String pathPattern, String scope) {
        return new ScopeRule(method, pathPattern, scope);
    }

    /** The authority Spring Security derives from the token's {@code scope} claim. */
    public String authority() {
        return "SCOPE_" + scope;
    }
}
