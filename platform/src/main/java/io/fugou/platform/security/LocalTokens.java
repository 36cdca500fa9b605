package io.fugou.platform.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.fugou.platform.merchant.CurrentMerchantArgumentResolver;
import io.fugou.platform.merchant.MerchantId;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.UUID;

/** Mints tokens signed with the local key: for the local run, the tests and trying the API. */
public final class LocalTokens {

    private final byte[] key;
    private final String issuer;
    private final Clock clock;

    public LocalTokens(String signingKey, String issuer, Clock clock) {
        this.key = signingKey.getBytes(StandardCharsets.UTF_8);
        if (key.length < 32) {
            throw new IllegalArgumentException("fugou.security.local-signing-key must be at least 32 bytes for HMAC-SHA256");
        }
        this.issuer = issuer;
        this.clock = clock;
    }

    public record IssuedToken(String token, Instant expiresAt) {
    }

    public IssuedToken issue(MerchantId merchant, Collection<String> scopes, Duration validity) {
        Instant now = clock.instant();
        Instant expiresAt = now.plus(validity);
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .subject("local:" + merchant.value())
                .jwtID(UUID.randomUUID().toString())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(expiresAt))
                .claim(CurrentMerchantArgumentResolver.MERCHANT_CLAIM, merchant.value())
                .claim("scope", String.join(" ", scopes))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        try {
            jwt.sign(new MACSigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a local token", e);
        }
        return new IssuedToken(jwt.serialize(), expiresAt);
    }
}
