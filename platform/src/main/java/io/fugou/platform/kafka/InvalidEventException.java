package io.fugou.platform.kafka;

/**
 * An event that was read but breaks a rule (a negative total, an unknown currency). Retrying cannot
 * fix it, so the error handler dead-letters it at once, with this message as the reason.
 */
public class InvalidEventException extends RuntimeException {

    public InvalidEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
