package io.fugou.platform.security;

import io.fugou.platform.merchant.CurrentMerchantArgumentResolver;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.web.ProblemResponses;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoders;
import org.springframework.security.oauth2.jwt.SupplierReactiveJwtDecoder;
import org.springframework.security.web.server.SecurityWebFilterChain;

/**
 * Every HTTP endpoint but health, metrics, API docs (and the local token minting) needs a bearer
 * JWT carrying a {@code merchant_id} claim; scopes come from the {@code scope} claim as
 * {@code SCOPE_*} authorities. Failures answer as problem details (401, 403).
 */
@AutoConfiguration
@EnableWebFluxSecurity
@EnableConfigurationProperties(MerchantSecurityProperties.class)
public class MerchantSecurityAutoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(MerchantSecurityAutoConfiguration.class);

    static final String[] PUBLIC_PATHS = {
        "/actuator/health", "/actuator/health/**", "/actuator/info", "/actuator/prometheus",
        "/v3/api-docs", "/v3/api-docs/**", "/swagger-ui.html", "/swagger-ui/**", "/webjars/**"
    };

    @Bean
    @ConditionalOnMissingBean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    @ConditionalOnMissingBean
    ReactiveJwtDecoder merchantJwtDecoder(MerchantSecurityProperties properties) {
        OAuth2TokenValidator<Jwt> merchantClaim = new JwtClaimValidator<String>(
                CurrentMerchantArgumentResolver.MERCHANT_CLAIM, MerchantId::isValid);
        if (!properties.isLocal()) {
            // Resolved on the first token, not at start-up: a service must boot while its identity provider is down.
            return new SupplierReactiveJwtDecoder(() -> {
                NimbusReactiveJwtDecoder decoder = (NimbusReactiveJwtDecoder) ReactiveJwtDecoders.fromIssuerLocation(properties.issuerUri());
                decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(JwtValidators.createDefaultWithIssuer(properties.issuerUri()), merchantClaim));
                return decoder;
            });
        }
        log.warn("Verifying bearer tokens with the local signing key (no fugou.security.issuer-uri): fine for a local run, never for production");
        NimbusReactiveJwtDecoder decoder = NimbusReactiveJwtDecoder
                .withSecretKey(new SecretKeySpec(properties.localSigningKey().getBytes(StandardCharsets.UTF_8), "HmacSHA256"))
                .macAlgorithm(MacAlgorithm.HS256)
                .build();
        decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(JwtValidators.createDefaultWithIssuer(properties.localIssuer()), merchantClaim));
        return decoder;
    }

    @Bean
    IdentityProviderUnavailableHandler identityProviderUnavailableHandler() {
        return new IdentityProviderUnavailableHandler();
    }

    @Bean
    @ConditionalOnMissingBean
    LocalTokens localTokens(MerchantSecurityProperties properties, Clock clock) {
        return new LocalTokens(properties.localSigningKey(), properties.localIssuer(), clock);
    }

    /** Minting is offered only where tokens are verified with the local key. */
    @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
    @org.springframework.boot.autoconfigure.condition.ConditionalOnExpression("'${fugou.security.issuer-uri:}'.isBlank()")
    static class LocalTokenMinting {
        @Bean
        LocalTokenController localTokenController(LocalTokens tokens) {
            return new LocalTokenController(tokens);
        }
    }

    @Bean
    @ConditionalOnMissingBean
    SecurityWebFilterChain merchantSecurityFilterChain(ServerHttpSecurity http, MerchantSecurityProperties properties,
            ObjectProvider<EndpointScopes> endpointScopes) {
        List<EndpointScopes> scopes = endpointScopes.orderedStream().toList();
        return http
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .authorizeExchange(exchanges -> {
                    exchanges.pathMatchers(PUBLIC_PATHS).permitAll();
                    if (properties.isLocal()) {
                        exchanges.pathMatchers(HttpMethod.POST, LocalTokenController.PATH).permitAll();
                    }
                    scopes.forEach(rule -> rule.configure(exchanges));
                    exchanges.anyExchange().authenticated();
                })
                .oauth2ResourceServer(resourceServer -> resourceServer
                        .jwt(jwt -> {
                        })
                        .authenticationEntryPoint((exchange, ex) -> ProblemResponses.write(exchange, HttpStatus.UNAUTHORIZED,
                                "Unauthorized", "A valid bearer token with a merchant_id claim is required: " + ex.getMessage()))
                        .accessDeniedHandler((exchange, ex) -> ProblemResponses.write(exchange, HttpStatus.FORBIDDEN,
                                "Forbidden", "The token lacks the scope this endpoint needs.")))
                .exceptionHandling(handling -> handling
                        .authenticationEntryPoint((exchange, ex) -> ProblemResponses.write(exchange, HttpStatus.UNAUTHORIZED,
                                "Unauthorized", "A bearer token with a merchant_id claim is required."))
                        .accessDeniedHandler((exchange, ex) -> ProblemResponses.write(exchange, HttpStatus.FORBIDDEN,
                                "Forbidden", "The token lacks the scope this endpoint needs.")))
                .build();
    }
}
