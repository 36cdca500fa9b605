package io.fugou.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.security.LocalTokens;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.core.KafkaTemplate;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * What every fugou service must do from its first commit: boot against real Kafka, PostgreSQL and
 * the registry, migrate its own database, report health, publish metrics and API docs, and turn
 * away requests without a valid merchant token with a problem detail.
 */
public abstract class ServiceSkeletonContract {

    @Autowired
    protected WebTestClient web;

    @Autowired
    protected LocalTokens localTokens;

    @Autowired
    private KafkaTemplate<Object, Object> kafkaTemplate;

    @Value("${spring.flyway.url}")
    private String jdbcUrl;

    @Value("${spring.flyway.user}")
    private String dbUser;

    @Value("${spring.flyway.password}")
    private String dbPassword;

    /** A table the service's first migration creates. */
    protected abstract String expectedTable();

    protected TestTokens tokens() {
        return new TestTokens(localTokens);
    }

    @Test
    void shouldReportHealthAndReadiness() {
        web.get().uri("/actuator/health").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP");
        web.get().uri("/actuator/health/readiness").exchange()
                .expectStatus().isOk();
    }

    @Test
    void shouldPublishPrometheusMetrics() {
        web.get().uri("/actuator/prometheus").exchange()
                .expectStatus().isOk()
                .expectBody(String.class).value(body -> assertThat(body).contains("jvm_memory_used_bytes"));
    }

    @Test
    void shouldServeItsOpenApiDescriptionWithBearerAuth() {
        web.get().uri("/v3/api-docs").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.components.securitySchemes.bearer.scheme").isEqualTo("bearer");
    }

    @Test
    void shouldServeItsApiDocsPage() {
        web.get().uri("/swagger-ui.html").exchange()
                .expectStatus().value(status -> assertThat(status).isIn(200, 302));
        web.get().uri("/swagger-ui/index.html").exchange()
                .expectStatus().isOk();
    }

    @Test
    void shouldAnswerAnUnknownPathWithA404ProblemDetail() {
        String token = tokens().forMerchant("merchant-a");

        web.get().uri("/no-such-page").headers(h -> h.setBearerAuth(token)).exchange()
                .expectStatus().isNotFound()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.status").isEqualTo(404);
    }

    @Test
    void shouldCarryTheTraceContextInKafkaHeaders() throws Exception {
        String topic = "trace-check-" + UUID.randomUUID();
        KafkaTestClient kafka = new KafkaTestClient();
        kafka.createTopic(topic);

        kafkaTemplate.send(topic, "merchant-a:buyer-1", "traced").get(30, TimeUnit.SECONDS);

        ConsumerRecord<String, byte[]> record = kafka.awaitRecord(topic, r -> true, Duration.ofSeconds(30));
        assertThat(KafkaTestClient.header(record, "traceparent"))
                .as("W3C trace context header among %s", java.util.Arrays.stream(record.headers().toArray()).map(h -> h.key()).toList())
                .matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");
    }

    @Test
    void shouldHaveMigratedItsOwnDatabase() throws Exception {
        try (Connection connection = DriverManager.getConnection(jdbcUrl, dbUser, dbPassword);
             ResultSet tables = connection.getMetaData().getTables(null, "public", expectedTable(), null)) {
            assertThat(tables.next()).as("table %s in %s", expectedTable(), jdbcUrl).isTrue();
        }
    }

    @Test
    void shouldAnswer401AsProblemDetailsWithoutAToken() {
        web.get().uri("/api/v1/anything").exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.status").isEqualTo(401)
                .jsonPath("$.title").isEqualTo("Unauthorized")
                .jsonPath("$.instance").isEqualTo("/api/v1/anything");
    }

    @Test
    void shouldRefuseATokenSignedWithAnotherKey() {
        LocalTokens forger = new LocalTokens("a-different-key-that-is-long-enough-for-hs256", "fugou-local", Clock.systemUTC());
        String forged = forger.issue(new MerchantId("merchant-a"), List.of("loyalty:read"), Duration.ofMinutes(5)).token();

        web.get().uri("/api/v1/anything").headers(h -> h.setBearerAuth(forged)).exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @Test
    void shouldMintALocalTokenAndNameTheFieldAtFaultWhenTheRequestIsBad() {
        web.post().uri("/local/tokens").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("merchantId", "merchant-a", "scopes", List.of("loyalty:read")))
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
}
