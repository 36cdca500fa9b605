package io.fugou.analytics.config;

import io.fugou.platform.security.EndpointScopes;
import io.fugou.platform.security.ScopeRule;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;

/** Every figure is read with {@code analytics:read}; the dashboard page, which holds none, is public. */
@Configuration(proxyBeanMethods = false)
class AnalyticsScopes {

    @Bean
    EndpointScopes analyticsEndpointScopes() {
        return new EndpointScopes() {
            @Override
            public List<ScopeRule> rules() {
                return List.of(ScopeRule.of(HttpMethod.GET, "/api/v1/analytics/**", "analytics:read"));
            }

            @Override
            public List<String> publicPaths() {
                return List.of("/dashboard", "/dashboard/", "/dashboard/**");
            }
        };
    }
}
