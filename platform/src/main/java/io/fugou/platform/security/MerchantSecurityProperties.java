package io.fugou.platform.security;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How bearer tokens are verified. Exactly one of two modes, chosen explicitly, so a service never
 * falls back to trusting a key that ships with the source code:
 * <ul>
 * <li>production: {@code issuerUri} ({@code FUGOU_JWT_ISSUER_URI}) names the OpenID Connect issuer
 * whose keys sign the tokens; {@code audience} ({@code FUGOU_JWT_AUDIENCE}), when set, must be in
 * each token's {@code aud};</li>
 * <li>local: {@code mode=local} ({@code FUGOU_SECURITY_MODE=local}, set by {@code deploy/run} and
 * the tests) verifies tokens signed with {@code localSigningKey} and offers {@code POST /local/tokens}.</li>
 * </ul>
 * With neither, or both, the service refuses to start.
 */
@ConfigurationProperties("fugou.security")
public record MerchantSecurityProperties(String mode, String issuerUri, String audience, String localSigningKey,
                                         String localIssuer, List<String> corsAllowedOrigins) {

    public static final String LOCAL_MODE = "local";

    public MerchantSecurityProperties {
        corsAllowedOrigins = corsAllowedOrigins == null ? List.of()
                : corsAllowedOrigins.stream().map(String::trim).filter(origin -> !origin.isEmpty()).toList();
    }

    /** Tokens are verified with the local key; fails when the configuration does not say which mode clearly. */
    public boolean isLocal() {
        boolean local = LOCAL_MODE.equalsIgnoreCase(blankToNull(mode));
        boolean issuer = blankToNull(issuerUri) != null;
        if (blankToNull(mode) != null && !local) {
            throw new SecurityNotConfiguredException("fugou.security.mode is '" + mode + "', but the only mode to set is 'local'; "
                    + "for production leave it empty and set FUGOU_JWT_ISSUER_URI.");
        }
        if (local && issuer) {
            throw new SecurityNotConfiguredException("Both fugou.security.mode=local and an issuer (" + issuerUri + ") are set: "
                    + "choose one. Production sets FUGOU_JWT_ISSUER_URI only; a local run sets FUGOU_SECURITY_MODE=local only.");
        }
        if (!local && !issuer) {
            throw new SecurityNotConfiguredException("No way to verify bearer tokens is configured. For production set "
                    + "FUGOU_JWT_ISSUER_URI (fugou.security.issuer-uri) to your OpenID Connect issuer; for a local run set "
                    + "FUGOU_SECURITY_MODE=local (fugou.security.mode=local) to accept tokens signed with the local key.");
        }
        return local;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
