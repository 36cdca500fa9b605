package io.fugou.loyalty.config;

import io.fugou.platform.security.EndpointScopes;
import io.fugou.platform.security.ScopeRule;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;

@Configuration(proxyBeanMethods = false)
class LoyaltyScopes {

    @Bean
    EndpointScopes loyaltyEndpointScopes() {
        return () -> List.of(ScopeRule.of(HttpMethod.GET, "/api/v1/paid-orders/**", "loyalty:read"));
    }
}
