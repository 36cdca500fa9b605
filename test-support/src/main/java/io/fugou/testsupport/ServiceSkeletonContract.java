package io.fugou.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * What every service must do from its first commit: boot against real Kafka, PostgreSQL and the
 * registry (which also proves its topics match their contracts and every route has a scope rule,
 * both checked at start), migrate its own database and report ready. What the platform does the
 * same way for every service (security, problem details, metrics, docs, tracing) is tested once,
 * in the platform module.
 */
public abstract class ServiceSkeletonContract {

    @Autowired
    protected WebTestClient web;

    @Value("${spring.flyway.url}")
    private String jdbcUrl;

    @Value("${spring.flyway.user}")
    private String dbUser;

    @Value("${spring.flyway.password}")
    private String dbPassword;

    /** A table the service's migrations create, or null for a service with no tables yet. */
    protected abstract String expectedTable();

    @Test
    void shouldStartAndReportReady() {
        web.get().uri("/actuator/health/readiness").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP");
    }

    @Test
    void shouldHaveMigratedItsOwnDatabase() throws Exception {
        if (expectedTable() == null) {
            return;
        }
        try (Connection connection = DriverManager.getConnection(jdbcUrl, dbUser, dbPassword);
             ResultSet tables = connection.getMetaData().getTables(null, "public", expectedTable(), null)) {
            assertThat(tables.next()).as("table %s in %s", expectedTable(), jdbcUrl).isTrue();
        }
    }
}
