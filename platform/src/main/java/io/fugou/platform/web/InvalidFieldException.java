package io.fugou.platform.web;

/** Thrown by handlers when a request breaks a rule about one field; answered as a 400 problem naming it. */
public class InvalidFieldException extends RuntimeException {

    private final String field;

    public InvalidFieldException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
