package io.fugou.serde.avro;

/** The registry answered with an error, or could not be reached. Carries the registry's own codes. */
public class SchemaRegistryException extends RuntimeException {

    /** HTTP status, or 0 when the registry could not be reached. */
    private final int status;
    /** Confluent error code (40401 subject not found, 40403 schema not found, 409 incompatible...), or 0. */
    private final int errorCode;

    public SchemaRegistryException(String message, int status, int errorCode, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.errorCode = errorCode;
    }

    public int status() {
        return status;
    }

    public int errorCode() {
        return errorCode;
    }

    public boolean isNotFound() {
        return status == 404;
    }

    public boolean isIncompatible() {
        return status == 409;
    }

    public boolean isRetryable() {
        return status == 0 || status >= 500;
    }
}
