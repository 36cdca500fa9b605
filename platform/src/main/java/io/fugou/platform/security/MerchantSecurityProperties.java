package io.fugou.platform.security;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Token verification. With {@code issuerUri} set (production) tokens are verified against that
 * issuer's published keys; without it, against {@code localSigningKey} (HMAC-SHA256), and tokens can
 * be minted locally for trying the API.
 */
@ConfigurationProperties("fugou.security")
public record MerchantSecurityProperties(String issuerUri, String localSigningKey, String localIssuer) {

    public boolean isLocal() {
        return issuerUri == null || issuerUri.isBlank();
    }
}
