package io.fugou.loyalty.config;

import io.fugou.platform.security.EndpointScopes;
import io.fugou.platform.security.ScopeRule;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;

/** Which scope each endpoint needs; the first rule that matches a request decides. */
@Configuration(proxyBeanMethods = false)
class LoyaltyScopes {

    @Bean
    EndpointScopes loyaltyEndpointScopes() {
        return () -> List.of(
                ScopeRule.of(HttpMethod.GET, "/api/v1/paid-orders/**", "loyalty:read"),
                ScopeRule.of(HttpMethod.GET, "/api/v1/members/*/points", "loyalty:read"),
                ScopeRule.of(HttpMethod.GET, "/api/v1/members/*/points/**", "loyalty:read"),
                ScopeRule.of(HttpMethod.GET, "/api/v1/earning-rules", "loyalty:read"),
                ScopeRule.of(HttpMethod.GET, "/api/v1/earning-rules/**", "loyalty:read"),
                ScopeRule.of(HttpMethod.POST, "/api/v1/earning-rules/dry-run", "loyalty:read"),
                ScopeRule.of(HttpMethod.POST, "/api/v1/earning-rules/versions", "loyalty:write"),
                ScopeRule.of(HttpMethod.GET, "/api/v1/redemptions/**", "loyalty:read"),
                ScopeRule.of(HttpMethod.POST, "/api/v1/members/*/redemptions", "loyalty:redeem"),
                ScopeRule.of(HttpMethod.POST, "/api/v1/redemptions/*/confirm", "loyalty:redeem"),
                ScopeRule.of(HttpMethod.POST, "/api/v1/redemptions/*/cancel", "loyalty:redeem"),
                ScopeRule.of(HttpMethod.POST, "/api/v1/members/*/points/adjustments", "loyalty:adjust"),
                ScopeRule.of(HttpMethod.POST, "/api/v1/members/*/interactions", "loyalty:earn"),
                ScopeRule.of(HttpMethod.GET, "/api/v1/points/totals", "loyalty:read"),
                ScopeRule.of(HttpMethod.GET, "/api/v1/members/*/entitlements", "loyalty:read"),
                ScopeRule.of(HttpMethod.POST, "/api/v1/members/*/entitlements/*/draws", "loyalty:redeem"));
    }
}
