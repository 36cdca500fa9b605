package io.fugou.member;

import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.security.LocalTokens;
import io.fugou.testsupport.FugouIntegrationTest;
import io.fugou.testsupport.TestIdentityProvider;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Production token verification: tokens of the configured issuer only, and no local minting. */
class ProductionSecurityIT {

    private static final TestIdentityProvider issuer = TestIdentityProvider.start();

    @AfterAll
    static void stopIssuer() {
        issuer.close();
    }

    /** A token signed with the local development key (the LocalTokens bean keeps it even in production mode). */
    private static String localKeyToken(LocalTokens localTokens) {
        return localTokens.issue(new MerchantId("merchant-a"), List.of("members:read"), Duration.ofMinutes(5)).token();
    }

    @Nested
    @FugouIntegrationTest
    class WithTheIssuerReachable {

        @DynamicPropertySource
        static void issuer(DynamicPropertyRegistry registry) {
            registry.add("fugou.security.issuer-uri", issuer::issuer);
        }

        @Autowired
        private WebTestClient web;

        @Autowired
        private LocalTokens localTokens;

        @Test
        void shouldAcceptTheIssuersTokens() {
            web.get().uri("/no-such-page").headers(h -> h.setBearerAuth(issuer.token("merchant-a", "members:read"))).exchange()
                    .expectStatus().isNotFound();
        }

        @Test
        void shouldRefuseATokenSignedWithTheLocalKey() {
            web.get().uri("/no-such-page").headers(h -> h.setBearerAuth(localKeyToken(localTokens))).exchange()
                    .expectStatus().isUnauthorized()
                    .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
        }

        @Test
        void shouldRefuseAnIssuersTokenWithoutAMerchant() {
            web.get().uri("/no-such-page").headers(h -> h.setBearerAuth(issuer.token("not a merchant!"))).exchange()
                    .expectStatus().isUnauthorized();
        }

        @Test
        void shouldNotMintTokens() {
            web.post().uri("/local/tokens").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("merchantId", "merchant-a"))
                    .exchange()
                    .expectStatus().isUnauthorized();
        }
    }

    @Nested
    @FugouIntegrationTest
    @TestPropertySource(properties = "fugou.security.issuer-uri=http://127.0.0.1:1/realms/down")
    class WithTheIssuerDown {

        @Autowired
        private WebTestClient web;

        @Autowired
        private LocalTokens localTokens;

        @Test
        void shouldStillBootAndReportHealth() {
            web.get().uri("/actuator/health").exchange().expectStatus().isOk();
        }

        @Test
        void shouldAnswer503NotABlameOnTheToken() {
            web.get().uri("/no-such-page").headers(h -> h.setBearerAuth(localKeyToken(localTokens))).exchange()
                    .expectStatus().isEqualTo(503)
                    .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectHeader().exists("Retry-After");
        }
    }
}
