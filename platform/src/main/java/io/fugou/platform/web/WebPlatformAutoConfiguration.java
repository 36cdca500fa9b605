package io.fugou.platform.web;

import io.fugou.platform.merchant.CurrentMerchantArgumentResolver;
import io.swagger.v3.oas.models.Components;
import io.fugou.platform.web.idempotency.IdempotencyFilter;
import io.fugou.platform.web.paging.PageRequestArgumentResolver;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.parameters.HeaderParameter;
import io.swagger.v3.oas.models.parameters.QueryParameter;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.web.paging.PageRequest;
import org.springdoc.core.utils.SpringDocUtils;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.reactive.result.method.annotation.ArgumentResolverConfigurer;

/** Problem details for every error, the current-merchant and page-request parameters, and the OpenAPI description. */
@AutoConfiguration(before = org.springframework.boot.webflux.autoconfigure.WebFluxAutoConfiguration.class)
public class WebPlatformAutoConfiguration {

    static {
        // Resolved from the token and the query string, not bound from the request: the API docs describe them below instead.
        SpringDocUtils.getConfig().addRequestWrapperToIgnore(MerchantId.class, PageRequest.class);
    }

    @Bean
    @ConditionalOnMissingBean
    ProblemDetailsHandler problemDetailsHandler() {
        return new ProblemDetailsHandler();
    }

    @Bean
    @ConditionalOnMissingBean
    TransientFailureHandler transientFailureHandler() {
        return new TransientFailureHandler();
    }

    @Bean
    WebFluxConfigurer currentMerchantParameter() {
        return new WebFluxConfigurer() {
            @Override
            public void configureArgumentResolvers(ArgumentResolverConfigurer configurer) {
                configurer.addCustomResolver(new CurrentMerchantArgumentResolver());
                configurer.addCustomResolver(new PageRequestArgumentResolver());
            }
        };
    }

    /** Write operations document the Idempotency-Key header the platform honours; list operations their paging parameters. */
    @Bean
    OperationCustomizer idempotencyKeyHeader() {
        return (operation, handlerMethod) -> {
            RequestMapping mapping = AnnotatedElementUtils.findMergedAnnotation(handlerMethod.getMethod(), RequestMapping.class);
            boolean write = mapping != null && java.util.Arrays.stream(mapping.method())
                    .anyMatch(method -> method == RequestMethod.POST || method == RequestMethod.PUT
                            || method == RequestMethod.PATCH || method == RequestMethod.DELETE);
            boolean paged = java.util.Arrays.stream(handlerMethod.getMethodParameters())
                    .anyMatch(parameter -> parameter.getParameterType().equals(PageRequest.class));
            if (paged) {
                operation.addParametersItem(new QueryParameter().name("limit").required(false)
                        .description("Items per page, 1 to " + PageRequest.MAX_LIMIT + " (default " + PageRequest.DEFAULT_LIMIT + ").")
                        .schema(new IntegerSchema().minimum(java.math.BigDecimal.ONE).maximum(java.math.BigDecimal.valueOf(PageRequest.MAX_LIMIT)))
                        .example(PageRequest.DEFAULT_LIMIT));
                operation.addParametersItem(new QueryParameter().name("cursor").required(false)
                        .description("The nextCursor of the previous page; omit for the first page.")
                        .schema(new StringSchema()).example("MTcwMDAwMDAwMDAwMAAxMjM"));
            }
            if (write) {
                operation.addParametersItem(new HeaderParameter().name(IdempotencyFilter.HEADER).required(false)
                        .description("Any unique string (a UUID) chosen by the client: a retry with the same key and request gets "
                                + "the first response again and changes nothing; kept 30 days per merchant.")
                        .schema(new StringSchema().maxLength(255)).example("5f0c2a9e-8d1b-4c3e-9a7f-1b2c3d4e5f60"));
            }
            return operation;
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
