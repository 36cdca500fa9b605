package io.fugou.platform.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Every access rule of a service in one place: the few public paths, then each endpoint's scope.
 * The security filter chain is built from it and {@link RouteScopeCheck} proves it covers every route.
 */
public final class AccessRules {

    /**
     * Health (for probes and load balancers), metrics (for Prometheus) and the API docs. Prometheus
     * is public because scrapers cannot mint merchant tokens and its metrics carry no merchant's
     * data (no metric is ever tagged with a merchant); keep the port off the public internet or
     * set {@code management.server.port} to a private one.
     */
    static final List<String> ALWAYS_PUBLIC = List.of(
            "/actuator/health", "/actuator/health/**", "/actuator/prometheus",
            "/v3/api-docs", "/v3/api-docs/**", "/v3/api-docs.yaml", "/swagger-ui.html", "/swagger-ui/**", "/webjars/**");

    private final List<String> publicPaths;
    private final List<ScopeRule> scopeRules;

    AccessRules(boolean local, List<EndpointScopes> endpointScopes) {
        List<String> paths = new ArrayList<>(ALWAYS_PUBLIC);
        if (local) {
            paths.add(LocalTokenController.PATH);
        }
        endpointScopes.forEach(scopes -> paths.addAll(scopes.publicPaths()));
        this.publicPaths = List.copyOf(paths);
        this.scopeRules = endpointScopes.stream().flatMap(scopes -> scopes.rules().stream()).toList();
    }

    public List<String> publicPaths() {
        return publicPaths;
    }

    public List<ScopeRule> scopeRules() {
        return scopeRules;
    }

    /** Whether a request with this method to this concrete path is public or has a scope rule. */
    public boolean covers(HttpMethod method, String path) {
        PathContainer container = PathContainer.parsePath(path);
        return publicPaths.stream().anyMatch(pattern -> parse(pattern).matches(container))
                || scopeRules.stream().anyMatch(rule -> (rule.method() == null || rule.method().equals(method))
                        && parse(rule.pathPattern()).matches(container));
    }

    /** The methods of a route that no rule covers; a route that names no method answers all of them. */
    Set<HttpMethod> uncoveredMethods(Set<HttpMethod> routeMethods, String routePattern) {
        String sample = samplePath(routePattern);
        Set<HttpMethod> methods = routeMethods.isEmpty() ? allMethods() : routeMethods;
        Set<HttpMethod> uncovered = new java.util.LinkedHashSet<>();
        for (HttpMethod method : methods) {
            if (!covers(method, sample)) {
                uncovered.add(method);
            }
        }
        return uncovered;
    }

    /** A concrete path the route pattern matches: each variable or wildcard becomes a plain segment. */
    static String samplePath(String routePattern) {
        String path = routePattern
                .replaceAll("\\{\\*[^}]*}", "x/y")
                .replaceAll("\\{[^}]*}", "x")
                .replace("**", "x/y")
                .replace("*", "x");
        return path.isEmpty() ? "/" : path;
    }

    private static Set<HttpMethod> allMethods() {
        return Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH,
                HttpMethod.DELETE, HttpMethod.OPTIONS);
    }

    private static PathPattern parse(String pattern) {
        return PathPatternParser.defaultInstance.parse(pattern);
    }
}
