package io.fugou.platform.security;

/** The service cannot tell how to verify tokens, so it does not start (security fails closed). */
public class SecurityNotConfiguredException extends IllegalStateException {

    public SecurityNotConfiguredException(String message) {
        super(message);
    }
}
