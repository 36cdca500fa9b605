package io.fugou.platform.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

/**
 * A minimal OpenID Connect issuer for tests of production token verification: it publishes its
 * discovery document and its RSA public key (JWKS) over HTTP and signs RS256 tokens, as a real
 * identity provider (Keycloak, Auth0...) would. What it does not do (logins, refresh) no service needs.
 */
public final class TestIdentityProvider implements AutoCloseable {

    private final HttpServer server;
    private final RSAKey key;

    private TestIdentityProvider(HttpServer server, RSAKey key) {
        this.server = server;
        this.key = key;
    }

    public static TestIdentityProvider start() {
        try {
            RSAKey key = new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            TestIdentityProvider provider = new TestIdentityProvider(server, key);
            server.createContext("/.well-known/openid-configuration", exchange -> provider.respond(exchange,
                    "{\"issuer\":\"" + provider.issuer() + "\",\"jwks_uri\":\"" + provider.issuer() + "/jwks\","
                            + "\"id_token_signing_alg_values_supported\":[\"RS256\"],\"subject_types_supported\":[\"public\"]}"));
            server.createContext("/jwks", exchange -> provider.respond(exchange, new JWKSet(key.toPublicJWK()).toString()));
            server.start();
            return provider;
        } catch (IOException | JOSEException e) {
            throw new IllegalStateException("cannot start the test identity provider", e);
        }
    }

    public String issuer() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public String token(String merchantId, String... scopes) {
        return token(merchantId, java.util.List.of(), scopes);
    }

    /** A token for these audiences ({@code aud}); none when the list is empty. */
    public String token(String merchantId, java.util.List<String> audiences, String... scopes) {
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .audience(audiences.isEmpty() ? null : audiences)
                .issuer(issuer())
                .subject("user-of-" + merchantId)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(600)))
                .claim("merchant_id", merchantId)
                .claim("scope", String.join(" ", scopes))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
        try {
            jwt.sign(new RSASSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    private void respond(com.sun.net.httpserver.HttpExchange exchange, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }

}
