package io.fugou.platform.security;

import java.util.List;

/**
 * A service's rules for which scope each of its endpoints needs. Access is denied by default: a
 * request that no rule (and no public path) covers is refused, and a service whose routes are not
 * all covered refuses to start ({@link RouteScopeCheck}).
 */
@FunctionalInterface
public interface EndpointScopes {
    List<ScopeRule> rules();

    /**
     * Paths anyone may fetch, without a token: pages and their assets only, which hold no data of their own (a page signs
     * in with a merchant's token to read any).
     */
    default List<String> publicPaths() {
        return List.of();
    }
}
