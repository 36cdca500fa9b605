package io.fugou.loyalty.config;

import io.fugou.platform.security.EndpointScopes;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;

@Configuration(proxyBeanMethods = false)
class LoyaltyScopes {

    static final String READ = "SCOPE_loyalty:read";

    @Bean
    EndpointScopes loyaltyEndpointScopes() {
        return spec -> spec.pathMatchers(HttpMethod.GET, "/api/v1/**").hasAuthority(READ);
    }
}
