package io.fugou.platform.web;

import io.fugou.platform.kafka.TransientFailures;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Every HTTP error as an RFC 9457 problem detail. Validation errors list each field at fault in an
 * {@code errors} member ({@code [{"field": "...", "message": "..."}]}); unexpected failures say
 * nothing about internals.
 */
@RestControllerAdvice
public class ProblemDetailsHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemDetailsHandler.class);
    public static final URI VALIDATION_TYPE = URI.create("https://fugou.io/problems/validation");

    public record FieldProblem(String field, String message) {
    }

    @Override
    protected Mono<ResponseEntity<Object>> handleWebExchangeBindException(
            WebExchangeBindException ex, HttpHeaders headers, HttpStatusCode status, ServerWebExchange exchange) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "The request has invalid fields.");
        problem.setTitle("Invalid request");
        problem.setType(VALIDATION_TYPE);
        List<FieldProblem> errors = ex.getFieldErrors().stream()
                .map(error -> new FieldProblem(error.getField(), messageOf(error)))
                .toList();
        problem.setProperty("errors", errors);
        return handleExceptionInternal(ex, problem, headers, HttpStatus.BAD_REQUEST, exchange);
    }

    @Override
    protected Mono<ResponseEntity<Object>> handleServerWebInputException(
            ServerWebInputException ex, HttpHeaders headers, HttpStatusCode status, ServerWebExchange exchange) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, ex.getReason());
        problem.setTitle("Invalid request");
        problem.setType(VALIDATION_TYPE);
        MethodParameter parameter = ex.getMethodParameter();
        FieldProblem inBody = bodyProblem(ex);
        if (inBody != null) {
            problem.setDetail("The request body has an invalid field: " + inBody.field() + " " + inBody.message() + ".");
            problem.setProperty("errors", List.of(inBody));
        } else if (parameter != null && parameter.getParameterName() != null) {
            problem.setProperty("errors", List.of(new FieldProblem(parameter.getParameterName(),
                    ex.getReason() == null ? "is not valid" : ex.getReason())));
        }
        return handleExceptionInternal(ex, problem, headers, HttpStatus.BAD_REQUEST, exchange);
    }

    /**
     * The JSON field a body could not be read at, by its path ({@code tiers[1].threshold}): a field the request does
     * not have (refused, so a misspelt setting is not silently ignored) or a value of the wrong type or format.
     */
    private static FieldProblem bodyProblem(Throwable ex) {
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            if (cause instanceof JacksonException json && !json.getPath().isEmpty()) {
                StringBuilder path = new StringBuilder();
                for (JacksonException.Reference reference : json.getPath()) {
                    if (reference.getPropertyName() != null) {
                        path.append(path.isEmpty() ? "" : ".").append(reference.getPropertyName());
                    } else if (reference.getIndex() >= 0) {
                        path.append('[').append(reference.getIndex()).append(']');
                    }
                }
                String message = json instanceof UnrecognizedPropertyException ? "is not a field of this request"
                        : json instanceof MismatchedInputException ? "has the wrong type or format" : "could not be read";
                return new FieldProblem(path.toString(), message);
            }
        }
        return null;
    }

    /** A domain rule broken by the request, named by the field at fault. */
    @ExceptionHandler(InvalidFieldException.class)
    public ProblemDetail invalidField(InvalidFieldException ex) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, ex.getMessage());
        problem.setTitle("Invalid request");
        problem.setType(VALIDATION_TYPE);
        problem.setProperty("errors", List.of(new FieldProblem(ex.field(), ex.getMessage())));
        return problem;
    }

    /**
     * A failure that passes by itself (a deadlock the database broke by aborting this request's transaction, a lock
     * timeout, the database or the registry unreachable for a moment) is a 503 with {@code Retry-After}: try again. Anything
     * else is a 500 that says nothing about internals. ({@link TransientFailureHandler} answers the same outside controllers.)
     */
    @ExceptionHandler(Exception.class)
    public ResponseEntity<ProblemDetail> unexpected(Exception ex, ServerWebExchange exchange) {
        if (TransientFailures.isTransient(ex)) {
            log.warn("Transient failure on {} {}: {}", exchange.getRequest().getMethod(), exchange.getRequest().getPath(), ex.toString());
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, TransientFailureHandler.DETAIL);
            problem.setTitle(TransientFailureHandler.TITLE);
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header(HttpHeaders.RETRY_AFTER, TransientFailureHandler.RETRY_AFTER_SECONDS)
                    .body(problem);
        }
        log.error("Unhandled error on {} {}", exchange.getRequest().getMethod(), exchange.getRequest().getPath(), ex);
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
                "Something went wrong on our side; the request may be retried.");
        problem.setTitle("Internal error");
        return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR).body(problem);
    }

    private static String messageOf(FieldError error) {
        return error.getDefaultMessage() == null ? "is not valid" : error.getDefaultMessage();
    }

    static Map<String, Object> asMap(ProblemDetail problem) {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("type", problem.getType() == null ? "about:blank" : problem.getType().toString());
        body.put("title", problem.getTitle());
        body.put("status", problem.getStatus());
        if (problem.getDetail() != null) {
            body.put("detail", problem.getDetail());
        }
        if (problem.getInstance() != null) {
            body.put("instance", problem.getInstance().toString());
        }
        if (problem.getProperties() != null) {
            body.putAll(problem.getProperties());
        }
        return body;
    }
}
