package io.fugou.platform.security;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a refused start into the two-line answer an operator needs instead of a stack trace. */
public class SecurityNotConfiguredFailureAnalyzer extends AbstractFailureAnalyzer<SecurityNotConfiguredException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, SecurityNotConfiguredException cause) {
        return new FailureAnalysis(cause.getMessage(),
                "Set FUGOU_JWT_ISSUER_URI for production, or FUGOU_SECURITY_MODE=local for a local run (never both).", cause);
    }
}
