package io.fugou.platform.security;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fugou.platform.testapp.PlatformTestApplication;
import io.fugou.platform.unruled.UnruledController;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** A service that cannot tell how to verify tokens, or that has a route without a rule, does not start. */
class SecurityFailsClosedTest {

    /** Properties as command-line arguments, as an operator would pass them (they win over the platform's defaults). */
    private static ConfigurableApplicationContext start(Class<?>[] sources, String... properties) {
        return new SpringApplicationBuilder(sources)
                .run(java.util.stream.Stream.concat(Stream.of("server.port=0", PlatformTestProperties.NO_KAFKA_1, PlatformTestProperties.NO_KAFKA_2, PlatformTestProperties.NO_DATABASE),
                        Stream.of(properties)).map(property -> "--" + property).toArray(String[]::new));
    }

    @Test
    void shouldRefuseToStartWithNeitherAnIssuerNorLocalMode() {
        assertThatThrownBy(() -> start(new Class<?>[] {PlatformTestApplication.class}).close())
                .hasRootCauseInstanceOf(SecurityNotConfiguredException.class)
                .rootCause().hasMessageContaining("FUGOU_JWT_ISSUER_URI").hasMessageContaining("FUGOU_SECURITY_MODE=local");
    }

    @Test
    void shouldRefuseToStartWithBothAnIssuerAndLocalMode() {
        assertThatThrownBy(() -> start(new Class<?>[] {PlatformTestApplication.class},
                "fugou.security.mode=local", "fugou.security.issuer-uri=https://login.example.com").close())
                .hasRootCauseInstanceOf(SecurityNotConfiguredException.class)
                .rootCause().hasMessageContaining("choose one");
    }

    @Test
    void shouldRefuseToStartWithARouteNoRuleCovers() {
        assertThatThrownBy(() -> start(new Class<?>[] {PlatformTestApplication.class, UnruledController.class},
                "fugou.security.mode=local").close())
                .hasMessageContaining("Routes without an access rule")
                .hasMessageContaining("DELETE /api/v1/widgets/{id}");
    }
}
