package io.fugou.platform.web;

import io.fugou.platform.merchant.CurrentMerchantArgumentResolver;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.reactive.result.method.annotation.ArgumentResolverConfigurer;

/** Problem details for every error, the current-merchant parameter, and the OpenAPI description. */
@AutoConfiguration(before = org.springframework.boot.webflux.autoconfigure.WebFluxAutoConfiguration.class)
public class WebPlatformAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ProblemDetailsHandler problemDetailsHandler() {
        return new ProblemDetailsHandler();
    }

    @Bean
    WebFluxConfigurer currentMerchantParameter() {
        return new WebFluxConfigurer() {
            @Override
            public void configureArgumentResolvers(ArgumentResolverConfigurer configurer) {
                configurer.addCustomResolver(new CurrentMerchantArgumentResolver());
            }
        };
    }

    @Bean
    @ConditionalOnMissingBean
    OpenAPI fugouOpenApi(@Value("${spring.application.name:fugou}") String application) {
        return new OpenAPI()
                .info(new Info().title(application).description("fugou " + application + " API. Every call but health and docs needs a bearer token scoped to one merchant."))
                .components(new Components().addSecuritySchemes("bearer", new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP).scheme("bearer").bearerFormat("JWT")))
                .addSecurityItem(new SecurityRequirement().addList("bearer"));
    }
}
