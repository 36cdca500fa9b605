package io.fugou.platform.config;

import io.r2dbc.spi.Option;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.r2dbc.autoconfigure.ConnectionFactoryOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;

/**
 * Database sessions plan every statement for the values it is given ({@code plan_cache_mode=force_custom_plan}). The driver
 * prepares each statement once and PostgreSQL would switch to a generic plan after five runs, fixed from then on: a batch
 * statement over {@code unnest} of arrays first run while its table was empty keeps a nested loop over a sequential scan, and
 * takes seconds once the table has grown (campaign-service's assignments did, at 25,000 rows). Planning a statement anew
 * costs a fraction of a millisecond.
 */
@AutoConfiguration
@ConditionalOnClass(ConnectionFactoryOptionsBuilderCustomizer.class)
public class DatabaseAutoConfiguration {

    /** The PostgreSQL driver's session parameters option ({@code PostgresqlConnectionFactoryProvider.OPTIONS}). */
    private static final Option<Map<String, String>> SESSION_PARAMETERS = Option.valueOf("options");

    /** Adds the setting to the session parameters the URL may already give ({@code ?options=...}), which it keeps; one given there wins. */
    @Bean
    @SuppressWarnings("unchecked")
    ConnectionFactoryOptionsBuilderCustomizer plannedForTheirValues() {
        return options -> {
            Object given = options.build().getValue(SESSION_PARAMETERS);
            if (given != null && !(given instanceof Map)) {
                return; // parameters written as text in the URL: the operator's, left as they are
            }
            Map<String, String> parameters = new LinkedHashMap<>(given == null ? Map.of() : (Map<String, String>) given);
            parameters.putIfAbsent("plan_cache_mode", "force_custom_plan");
            options.option(SESSION_PARAMETERS, parameters);
        };
    }
}
