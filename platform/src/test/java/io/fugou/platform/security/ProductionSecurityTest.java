package io.fugou.platform.security;

import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.testapp.PlatformTestApplication;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.ApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** Production token verification: the configured issuer's tokens only, its audience, no local minting. */
class ProductionSecurityTest {

    private static final TestIdentityProvider issuer = TestIdentityProvider.start();
    private static final String AUDIENCE = "fugou-api";

    @AfterAll
    static void stopIssuer() {
        issuer.close();
    }

    /** A token signed with the local development key that ships with the source code. */
    private static String localKeyToken() {
        return new LocalTokens("fugou-local-development-signing-key-not-for-production", "fugou-local", Clock.systemUTC())
                .issue(new MerchantId("merchant-a"), List.of("widgets:read"), Duration.ofMinutes(5)).token();
    }

    @Nested
    @SpringBootTest(classes = PlatformTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = {PlatformTestProperties.NO_KAFKA_1, PlatformTestProperties.NO_KAFKA_2, PlatformTestProperties.NO_DATABASE, "fugou.security.audience=" + AUDIENCE})
    @AutoConfigureWebTestClient
    class WithTheIssuerReachable {

        @DynamicPropertySource
        static void issuer(DynamicPropertyRegistry registry) {
            registry.add("fugou.security.issuer-uri", issuer::issuer);
        }

        @Autowired
        private WebTestClient web;

        @Autowired
        private ApplicationContext context;

        @Test
        void shouldAcceptTheIssuersTokensForItsAudience() {
            web.get().uri("/api/v1/widgets/w-1").headers(h -> h.setBearerAuth(issuer.token("merchant-a", List.of(AUDIENCE), "widgets:read")))
                    .exchange()
                    .expectStatus().isOk()
                    .expectBody().jsonPath("$.merchantId").isEqualTo("merchant-a");
        }

        @Test
        void shouldRefuseTheIssuersTokensForAnotherAudienceOrNone() {
            web.get().uri("/api/v1/widgets/w-1").headers(h -> h.setBearerAuth(issuer.token("merchant-a", List.of("other-api"), "widgets:read")))
                    .exchange().expectStatus().isUnauthorized();
            web.get().uri("/api/v1/widgets/w-1").headers(h -> h.setBearerAuth(issuer.token("merchant-a", "widgets:read")))
                    .exchange().expectStatus().isUnauthorized();
        }

        @Test
        void shouldRefuseATokenSignedWithTheLocalKey() {
            web.get().uri("/api/v1/widgets/w-1").headers(h -> h.setBearerAuth(localKeyToken())).exchange()
                    .expectStatus().isUnauthorized()
                    .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
        }

        @Test
        void shouldRefuseAnIssuersTokenWithoutAMerchant() {
            web.get().uri("/api/v1/widgets/w-1").headers(h -> h.setBearerAuth(issuer.token("not a merchant!", List.of(AUDIENCE), "widgets:read")))
                    .exchange().expectStatus().isUnauthorized();
        }

        @Test
        void shouldNeitherMintNorKeepALocalSigningKey() {
            web.post().uri("/local/tokens").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("merchantId", "merchant-a"))
                    .exchange()
                    .expectStatus().isUnauthorized();
            assertThat(context.getBeanNamesForType(LocalTokens.class)).isEmpty();
        }
    }

    @Nested
    @SpringBootTest(classes = PlatformTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = {PlatformTestProperties.NO_KAFKA_1, PlatformTestProperties.NO_KAFKA_2, PlatformTestProperties.NO_DATABASE,
                    "fugou.security.issuer-uri=http://127.0.0.1:1/realms/down"})
    @AutoConfigureWebTestClient
    class WithTheIssuerDown {

        @Autowired
        private WebTestClient web;

        @Test
        void shouldStillBootAndReportHealth() {
            web.get().uri("/actuator/health").exchange().expectStatus().isOk();
        }

        @Test
        void shouldAnswer503NotABlameOnTheToken() {
            web.get().uri("/api/v1/widgets/w-1").headers(h -> h.setBearerAuth(localKeyToken())).exchange()
                    .expectStatus().isEqualTo(503)
                    .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectHeader().exists("Retry-After");
        }
    }
}
