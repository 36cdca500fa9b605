package io.fugou.platform.security;

import io.fugou.platform.merchant.CurrentMerchantArgumentResolver;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.web.ProblemResponses;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoders;
import org.springframework.security.oauth2.jwt.SupplierReactiveJwtDecoder;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.reactive.UrlBasedCorsConfigurationSource;

/**
 * Every HTTP endpoint but health, metrics and the API docs needs a bearer JWT carrying a
 * {@code merchant_id} claim and the scope its service declares for it ({@link EndpointScopes});
 * anything else is denied. Failures answer as problem details (401, 403). See
 * {@link MerchantSecurityProperties} for the two modes, one of which must be chosen.
 */
@AutoConfiguration(after = io.fugou.platform.config.ClockAutoConfiguration.class)
@EnableWebFluxSecurity
@EnableConfigurationProperties(MerchantSecurityProperties.class)
public class MerchantSecurityAutoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(MerchantSecurityAutoConfiguration.class);

    @Bean
    AccessRules accessRules(MerchantSecurityProperties properties, ObjectProvider<EndpointScopes> endpointScopes) {
        return new AccessRules(properties.isLocal(), endpointScopes.orderedStream().toList());
    }

    @Bean
    static RouteScopeCheck routeScopeCheck(ListableBeanFactory beans, ObjectProvider<AccessRules> rules) {
        return new RouteScopeCheck(beans, rules);
    }

    @Bean
    @ConditionalOnMissingBean
    ReactiveJwtDecoder merchantJwtDecoder(MerchantSecurityProperties properties) {
        List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>();
        validators.add(new JwtClaimValidator<String>(CurrentMerchantArgumentResolver.MERCHANT_CLAIM, MerchantId::isValid));
        if (properties.audience() != null && !properties.audience().isBlank()) {
            validators.add(new JwtClaimValidator<List<String>>(JwtClaimNames.AUD,
                    audiences -> audiences != null && audiences.contains(properties.audience())));
        }
        if (!properties.isLocal()) {
            validators.add(JwtValidators.createDefaultWithIssuer(properties.issuerUri()));
            // Resolved on the first token, not at start-up: a service must boot while its identity provider is down.
            return new SupplierReactiveJwtDecoder(() -> {
                NimbusReactiveJwtDecoder decoder = (NimbusReactiveJwtDecoder) ReactiveJwtDecoders.fromIssuerLocation(properties.issuerUri());
                decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(validators));
                return decoder;
            });
        }
        log.warn("fugou.security.mode=local: verifying bearer tokens with the local signing key and minting them at {}; "
                + "fine for a local run, never for production", LocalTokenController.PATH);
        validators.add(JwtValidators.createDefaultWithIssuer(properties.localIssuer()));
        NimbusReactiveJwtDecoder decoder = NimbusReactiveJwtDecoder
                .withSecretKey(new SecretKeySpec(properties.localSigningKey().getBytes(StandardCharsets.UTF_8), "HmacSHA256"))
                .macAlgorithm(MacAlgorithm.HS256)
                .build();
        decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(validators));
        return decoder;
    }

    @Bean
    IdentityProviderUnavailableHandler identityProviderUnavailableHandler() {
        return new IdentityProviderUnavailableHandler();
    }

    /** Local tokens exist only where they are asked for: signing and minting them with a key from the source code. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "fugou.security.mode", havingValue = MerchantSecurityProperties.LOCAL_MODE)
    static class LocalTokenMinting {

        @Bean
        @ConditionalOnMissingBean
        LocalTokens localTokens(MerchantSecurityProperties properties, Clock clock) {
            return new LocalTokens(properties.localSigningKey(), properties.localIssuer(), clock);
        }

        @Bean
        LocalTokenController localTokenController(LocalTokens tokens) {
            return new LocalTokenController(tokens);
        }
    }

    @Bean
    @ConditionalOnMissingBean
    SecurityWebFilterChain merchantSecurityFilterChain(ServerHttpSecurity http, MerchantSecurityProperties properties, AccessRules rules) {
        return http
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .cors(cors -> {
                    if (properties.corsAllowedOrigins().isEmpty()) {
                        cors.disable();
                    } else {
                        cors.configurationSource(corsConfiguration(properties.corsAllowedOrigins()));
                    }
                })
                .authorizeExchange(exchanges -> {
                    exchanges.pathMatchers(rules.publicPaths().toArray(String[]::new)).permitAll();
                    for (ScopeRule rule : rules.scopeRules()) {
                        (rule.method() == null ? exchanges.pathMatchers(rule.pathPattern()) : exchanges.pathMatchers(rule.method(), rule.pathPattern()))
                                .hasAuthority(rule.authority());
                    }
                    exchanges.anyExchange().denyAll();
                })
                .oauth2ResourceServer(resourceServer -> resourceServer
                        .jwt(jwt -> {
                        })
                        .authenticationEntryPoint((exchange, ex) -> ProblemResponses.write(exchange, HttpStatus.UNAUTHORIZED,
                                "Unauthorized", "A valid bearer token with a merchant_id claim is required: " + ex.getMessage()))
                        .accessDeniedHandler((exchange, ex) -> ProblemResponses.write(exchange, HttpStatus.FORBIDDEN,
                                "Forbidden", FORBIDDEN_DETAIL)))
                .exceptionHandling(handling -> handling
                        .authenticationEntryPoint((exchange, ex) -> ProblemResponses.write(exchange, HttpStatus.UNAUTHORIZED,
                                "Unauthorized", "A bearer token with a merchant_id claim is required."))
                        .accessDeniedHandler((exchange, ex) -> ProblemResponses.write(exchange, HttpStatus.FORBIDDEN,
                                "Forbidden", FORBIDDEN_DETAIL)))
                .build();
    }

    private static final String FORBIDDEN_DETAIL =
            "The token lacks the scope this endpoint needs, or no endpoint is open at this path (access is denied by default).";

    /** Lets a dashboard served from another origin call the API with its bearer token. */
    private static UrlBasedCorsConfigurationSource corsConfiguration(List<String> allowedOrigins) {
        CorsConfiguration cors = new CorsConfiguration();
        cors.setAllowedOriginPatterns(allowedOrigins);
        cors.setAllowedMethods(List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"));
        cors.setAllowedHeaders(List.of(HttpHeaders.AUTHORIZATION, HttpHeaders.CONTENT_TYPE, "Idempotency-Key", "traceparent"));
        cors.setExposedHeaders(List.of(HttpHeaders.LOCATION, HttpHeaders.RETRY_AFTER, HttpHeaders.ETAG));
        cors.setMaxAge(Duration.ofHours(1));
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        source.registerCorsConfiguration("/**", cors);
        return source;
    }
}
