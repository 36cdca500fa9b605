package io.fugou.platform.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.testapp.PlatformTestApplication;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * What every service's HTTP side does, proven once here rather than in every service: tokens, scopes
 * denied by default, problem details, local minting, public health, metrics and docs, CORS.
 */
@SpringBootTest(classes = PlatformTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {PlatformTestProperties.NO_KAFKA_1, PlatformTestProperties.NO_KAFKA_2, PlatformTestProperties.NO_DATABASE, "fugou.security.mode=local",
                "fugou.security.cors-allowed-origins=https://dashboard.example.com"})
@AutoConfigureWebTestClient
class LocalModeSecurityTest {

    @Autowired
    private WebTestClient web;

    @Autowired
    private LocalTokens localTokens;

    private String token(String merchant, String... scopes) {
        return localTokens.issue(new MerchantId(merchant), List.of(scopes), Duration.ofMinutes(5)).token();
    }

    @Test
    void shouldServeTheTokensMerchantWhenTheTokenHasTheScope() {
        web.get().uri("/api/v1/widgets/w-1").headers(h -> h.setBearerAuth(token("merchant-a", "widgets:read"))).exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.merchantId").isEqualTo("merchant-a").jsonPath("$.id").isEqualTo("w-1");
    }

    @Test
    void shouldAnswer401AsAProblemDetailWithoutAToken() {
        web.get().uri("/api/v1/widgets/w-1").exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.status").isEqualTo(401)
                .jsonPath("$.title").isEqualTo("Unauthorized")
                .jsonPath("$.instance").isEqualTo("/api/v1/widgets/w-1");
    }

    @Test
    void shouldRefuseATokenSignedWithAnotherKey() {
        LocalTokens forger = new LocalTokens("a-different-key-that-is-long-enough-for-hs256", "fugou-local", Clock.systemUTC());
        String forged = forger.issue(new MerchantId("merchant-a"), List.of("widgets:read"), Duration.ofMinutes(5)).token();

        web.get().uri("/api/v1/widgets/w-1").headers(h -> h.setBearerAuth(forged)).exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @Test
    void shouldAnswer403WhenTheTokenLacksTheEndpointsScope() {
        web.get().uri("/api/v1/widgets/w-1").headers(h -> h.setBearerAuth(token("merchant-a", "widgets:write"))).exchange()
                .expectStatus().isForbidden()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
        web.post().uri("/api/v1/widgets").headers(h -> h.setBearerAuth(token("merchant-a", "widgets:read"))).exchange()
                .expectStatus().isForbidden();
        web.post().uri("/api/v1/widgets").headers(h -> h.setBearerAuth(token("merchant-a", "widgets:write"))).exchange()
                .expectStatus().isOk();
    }

    @Test
    void shouldDenyAPathNoRuleOpensEvenToATokenWithEveryScope() {
        web.get().uri("/api/v1/gadgets/g-1").headers(h -> h.setBearerAuth(token("merchant-a", "widgets:read", "widgets:write"))).exchange()
                .expectStatus().isForbidden()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("denied by default"));
        web.get().uri("/actuator/info").exchange().expectStatus().isUnauthorized();
    }

    @Test
    void shouldKeepHealthMetricsAndApiDocsPublic() {
        web.get().uri("/actuator/health").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP").jsonPath("$.components.kafkaConsumers.status").isEqualTo("UP");
        web.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
        web.get().uri("/actuator/prometheus").exchange()
                .expectStatus().isOk()
                .expectBody(String.class).value(body -> assertThat(body).contains("jvm_memory_used_bytes"));
        web.get().uri("/v3/api-docs").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.components.securitySchemes.bearer.scheme").isEqualTo("bearer")
                .jsonPath("$.paths['/api/v1/widgets'].post.parameters[?(@.name == 'Idempotency-Key')].in").isEqualTo("header");
        web.get().uri("/swagger-ui/index.html").exchange().expectStatus().isOk();
    }

    @Test
    void shouldMintALocalTokenAndNameTheFieldAtFaultWhenTheRequestIsBad() {
        web.post().uri("/local/tokens").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("merchantId", "merchant-a", "scopes", List.of("widgets:read")))
                .exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.token").isNotEmpty().jsonPath("$.merchantId").isEqualTo("merchant-a");

        web.post().uri("/local/tokens").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("merchantId", "not a merchant!"))
                .exchange()
                .expectStatus().isBadRequest()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("merchantId");

        web.post().uri("/local/tokens").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("merchantId", "merchant-a", "validMinutes", 0))
                .exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("validMinutes");
    }

    @Test
    void shouldRefuseABodyWithAFieldTheRequestDoesNotHaveNamingIt() {
        web.post().uri("/api/v1/widgets").headers(h -> h.setBearerAuth(token("merchant-a", "widgets:write")))
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"name\": \"w\", \"colour\": \"red\"}")
                .exchange()
                .expectStatus().isBadRequest()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.errors[0].field").isEqualTo("colour")
                .jsonPath("$.errors[0].message").isEqualTo("is not a field of this request");

        web.post().uri("/api/v1/widgets").headers(h -> h.setBearerAuth(token("merchant-a", "widgets:write")))
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"name\": \"w\", \"fail\": \"sometimes\"}")
                .exchange()
                .expectStatus().isBadRequest()
                .expectBody()
                .jsonPath("$.errors[0].field").isEqualTo("fail")
                .jsonPath("$.errors[0].message").isEqualTo("has the wrong type or format");
    }

    @Test
    void shouldLetADashboardOnAConfiguredOriginCallTheApi() {
        web.options().uri("/api/v1/widgets/w-1")
                .header(HttpHeaders.ORIGIN, "https://dashboard.example.com")
                .header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "GET")
                .header(HttpHeaders.ACCESS_CONTROL_REQUEST_HEADERS, "authorization")
                .exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, "https://dashboard.example.com");
        web.get().uri("/api/v1/widgets/w-1").header(HttpHeaders.ORIGIN, "https://dashboard.example.com")
                .headers(h -> h.setBearerAuth(token("merchant-a", "widgets:read"))).exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, "https://dashboard.example.com");

        web.options().uri("/api/v1/widgets/w-1")
                .header(HttpHeaders.ORIGIN, "https://elsewhere.example.org")
                .header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "GET")
                .exchange()
                .expectStatus().isForbidden()
                .expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN);
    }
}
