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
 * both checked at start), migrate its own database, report ready, and name the merchant in every
 * SQL statement it runs. What the platform does the
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

    /** Tables of the service that belong to no merchant (reference data); none by default. */
    protected java.util.Set<String> sharedTables() {
        return java.util.Set.of();
    }

    @Test
    void shouldScopeEverySqlStatementToAMerchant() {
        assertThat(MerchantScopedSql.unscopedStatements(java.nio.file.Path.of("src/main/java"), sharedTables()))
                .as("SQL that reads or writes rows without naming merchant_id: every query takes the merchant")
                .isEmpty();
    }

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
