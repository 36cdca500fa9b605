package io.fugou.platform.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.r2dbc.spi.R2dbcBadGrammarException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcRollbackException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.r2dbc.UncategorizedR2dbcException;
import org.springframework.web.server.ServerWebExchange;

class ProblemDetailsHandlerTest {

    private final ProblemDetailsHandler handler = new ProblemDetailsHandler();
    private final ServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.post("/api/v1/members/buyer/entitlements/e-1/draws"));

    @Test
    void shouldAskForTheRequestAgainWhenTheDatabaseBrokeADeadlockWithIt() {
        // What spring-r2dbc makes of PostgreSQL's "deadlock detected": no category of its own, the driver's exception inside.
        Exception deadlock = new UncategorizedR2dbcException("executeMany", "insert into points_balance ...",
                new R2dbcRollbackException("deadlock detected", "40P01"));

        ResponseEntity<ProblemDetail> response = handler.unexpected(deadlock, exchange);

        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(response.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("1");
        assertThat(response.getBody().getStatus()).isEqualTo(503);
        assertThat(response.getBody().getDetail()).contains("send it again").doesNotContain("points_balance");
    }

    @Test
    void shouldAnswerTheSameOutsideTheControllersAsTheIdempotencyFilterClaimsItsKey() {
        MockServerWebExchange keyed = MockServerWebExchange.from(MockServerHttpRequest.post("/api/v1/redemptions").header("Idempotency-Key", "k-1"));
        Exception unreachable = new DataAccessResourceFailureException("connect", new R2dbcNonTransientResourceException("Connection refused"));

        new TransientFailureHandler().handle(keyed, unreachable).block();

        assertThat(keyed.getResponse().getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(keyed.getResponse().getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("1");
        assertThat(keyed.getResponse().getBodyAsString().block()).contains("\"status\":503").contains("send it again");
        Exception bug = new IllegalStateException("a bug");
        assertThat(org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> new TransientFailureHandler().handle(MockServerWebExchange.from(MockServerHttpRequest.post("/x")), bug).block()))
                .isSameAs(bug); // left to the framework's 500
    }

    @Test
    void shouldAnswerAFaultThatRetryingCannotMendWithA500SayingNothingOfInternals() {
        Exception broken = new UncategorizedR2dbcException("executeMany", "insert into points_balance ...",
                new R2dbcBadGrammarException("column \"x\" does not exist", "42703"));

        ResponseEntity<ProblemDetail> response = handler.unexpected(broken, exchange);

        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.INTERNAL_SERVER_ERROR);
        assertThat(response.getHeaders().containsHeader(HttpHeaders.RETRY_AFTER)).isFalse();
        assertThat(response.getBody().getDetail()).doesNotContain("points_balance");
    }
}
