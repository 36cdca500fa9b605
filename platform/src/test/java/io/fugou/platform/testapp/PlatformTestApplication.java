package io.fugou.platform.testapp;

import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.security.EndpointScopes;
import io.fugou.platform.security.ScopeRule;
import java.util.List;
import java.util.Map;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpMethod;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** The smallest service the platform can run: one resource with a read and a write scope. */
@SpringBootApplication
public class PlatformTestApplication {

    @Bean
    EndpointScopes widgetScopes() {
        return () -> List.of(
                ScopeRule.of(HttpMethod.GET, "/api/v1/widgets/**", "widgets:read"),
                ScopeRule.of(HttpMethod.POST, "/api/v1/widgets", "widgets:write"));
    }

    @RestController
    static class WidgetController {

        @GetMapping("/api/v1/widgets/{id}")
        Map<String, String> get(MerchantId merchant, @PathVariable String id) {
            return Map.of("merchantId", merchant.value(), "id", id);
        }

        @PostMapping("/api/v1/widgets")
        Map<String, String> create(MerchantId merchant) {
            return Map.of("merchantId", merchant.value(), "created", "true");
        }
    }
}
