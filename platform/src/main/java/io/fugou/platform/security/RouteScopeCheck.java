package io.fugou.platform.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.http.HttpMethod;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.reactive.result.method.RequestMappingInfo;
import org.springframework.web.reactive.result.method.RequestMappingInfoHandlerMapping;
import org.springframework.web.util.pattern.PathPattern;

/**
 * Refuses to start a service with a route that no access rule covers: every controller and
 * actuator route must be public on purpose or name the scope it needs. Since every service's
 * integration tests start it, a route added without a rule fails the build, not production.
 */
public class RouteScopeCheck implements SmartInitializingSingleton {

    private final ListableBeanFactory beans;
    private final ObjectProvider<AccessRules> rules;

    public RouteScopeCheck(ListableBeanFactory beans, ObjectProvider<AccessRules> rules) {
        this.beans = beans;
        this.rules = rules;
    }

    @Override
    public void afterSingletonsInstantiated() {
        List<String> uncovered = uncoveredRoutes();
        if (!uncovered.isEmpty()) {
            throw new IllegalStateException("Routes without an access rule (declare the scope each needs in an EndpointScopes bean): "
                    + String.join(", ", uncovered));
        }
    }

    /** Each route no rule covers, as {@code METHOD /pattern (handler)}. */
    public List<String> uncoveredRoutes() {
        List<String> uncovered = new ArrayList<>();
        for (RequestMappingInfoHandlerMapping mapping : beans.getBeansOfType(RequestMappingInfoHandlerMapping.class).values()) {
            for (Map.Entry<RequestMappingInfo, HandlerMethod> route : mapping.getHandlerMethods().entrySet()) {
                Set<HttpMethod> methods = route.getKey().getMethodsCondition().getMethods().stream()
                        .map(method -> HttpMethod.valueOf(method.name()))
                        .collect(Collectors.toSet());
                for (PathPattern pattern : route.getKey().getPatternsCondition().getPatterns()) {
                    for (HttpMethod method : rules.getObject().uncoveredMethods(methods, pattern.getPatternString())) {
                        uncovered.add(method + " " + pattern.getPatternString() + " (" + route.getValue().getShortLogMessage() + ")");
                    }
                }
            }
        }
        return uncovered;
    }
}
