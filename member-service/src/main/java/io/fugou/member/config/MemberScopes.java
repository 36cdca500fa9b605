package io.fugou.member.config;

import io.fugou.platform.security.EndpointScopes;
import io.fugou.platform.security.ScopeRule;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;

/**
 * Which scope each endpoint needs; the first rule that matches a request decides. The shop's backend enrolls
 * ({@code members:write}); the merchant's staff set the programme and codes ({@code members:manage}).
 */
@Configuration(proxyBeanMethods = false)
class MemberScopes {

    @Bean
    EndpointScopes memberEndpointScopes() {
        return () -> List.of(
                ScopeRule.of(HttpMethod.POST, "/api/v1/members", "members:write"),
                ScopeRule.of(HttpMethod.POST, "/api/v1/members/imports", "members:write"),
                ScopeRule.of(HttpMethod.GET, "/api/v1/members", "members:read"),
                ScopeRule.of(HttpMethod.GET, "/api/v1/members/*", "members:read"),
                ScopeRule.of(HttpMethod.PUT, "/api/v1/members/*/tier", "members:manage"),
                ScopeRule.of(HttpMethod.PATCH, "/api/v1/members/*/profile", "members:write"),
                ScopeRule.of(HttpMethod.DELETE, "/api/v1/members/*/personal-data", "members:write"),
                ScopeRule.of(HttpMethod.GET, "/api/v1/members/*/paid-memberships", "members:read"),
                ScopeRule.of(HttpMethod.POST, "/api/v1/members/*/paid-memberships", "members:manage"),
                ScopeRule.of(HttpMethod.GET, "/api/v1/members/*/quotas", "members:read"),
                ScopeRule.of(HttpMethod.POST, "/api/v1/members/*/quotas/*/uses", "members:write"),
                ScopeRule.of(HttpMethod.GET, "/api/v1/enrollments/counts", "members:read"),
                ScopeRule.of(HttpMethod.GET, "/api/v1/recruitment-codes", "members:read"),
                ScopeRule.of(HttpMethod.GET, "/api/v1/recruitment-codes/*", "members:read"),
                ScopeRule.of(HttpMethod.POST, "/api/v1/recruitment-codes", "members:manage"),
                ScopeRule.of(HttpMethod.GET, "/api/v1/membership-program", "members:read"),
                ScopeRule.of(HttpMethod.GET, "/api/v1/membership-program/versions", "members:read"),
                ScopeRule.of(HttpMethod.POST, "/api/v1/membership-program/versions", "members:manage"));
    }
}
