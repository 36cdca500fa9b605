package io.fugou.campaign.config;

import io.fugou.platform.security.EndpointScopes;
import io.fugou.platform.security.ScopeRule;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;

/** Which scope each endpoint needs: marketers write campaigns ({@code campaigns:write}); reads, the shop's wallet included, need {@code campaigns:read}. */
@Configuration(proxyBeanMethods = false)
class CampaignScopes {

    @Bean
    EndpointScopes campaignEndpointScopes() {
        return () -> List.of(
                ScopeRule.of(HttpMethod.GET, "/api/v1/campaigns", "campaigns:read"),
                ScopeRule.of(HttpMethod.GET, "/api/v1/campaigns/**", "campaigns:read"),
                ScopeRule.of(HttpMethod.POST, "/api/v1/campaigns/dry-run", "campaigns:read"),
                ScopeRule.of(HttpMethod.POST, "/api/v1/campaigns", "campaigns:write"),
                ScopeRule.of(HttpMethod.PUT, "/api/v1/campaigns/*", "campaigns:write"),
                ScopeRule.of(HttpMethod.POST, "/api/v1/campaigns/*/activate", "campaigns:write"),
                ScopeRule.of(HttpMethod.POST, "/api/v1/campaigns/*/pause", "campaigns:write"),
                ScopeRule.of(HttpMethod.POST, "/api/v1/campaigns/*/end", "campaigns:write"),
                ScopeRule.of(HttpMethod.GET, "/api/v1/members/*/coupons", "campaigns:read"),
                ScopeRule.of(HttpMethod.POST, "/api/v1/members/*/coupons/*/check", "campaigns:read"),
                ScopeRule.of(HttpMethod.GET, "/api/v1/coupon-templates", "campaigns:read"),
                ScopeRule.of(HttpMethod.GET, "/api/v1/coupon-templates/*", "campaigns:read"),
                ScopeRule.of(HttpMethod.PUT, "/api/v1/coupon-templates/*", "campaigns:write"),
                ScopeRule.of(HttpMethod.GET, "/api/v1/contact-policy", "campaigns:read"),
                ScopeRule.of(HttpMethod.PUT, "/api/v1/contact-policy", "campaigns:write"));
    }
}
