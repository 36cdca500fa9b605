package io.fugou.platform.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.support.ResourcePropertySource;

/** Adds fugou-platform-defaults.properties as the last property source, so anything else wins. */
public class PlatformDefaults implements EnvironmentPostProcessor {

    static final String NAME = "fugouPlatformDefaults";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (environment.getPropertySources().contains(NAME)) {
            return;
        }
        try {
            environment.getPropertySources().addLast(
                    new ResourcePropertySource(NAME, new ClassPathResource("fugou-platform-defaults.properties")));
        } catch (IOException e) {
            throw new UncheckedIOException("fugou-platform-defaults.properties missing from the platform jar", e);
        }
    }
}
