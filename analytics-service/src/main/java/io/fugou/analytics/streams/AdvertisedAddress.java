package io.fugou.analytics.streams;

import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.stereotype.Component;

/**
 * This instance's address for interactive queries ({@code application.server}): the advertised host and the port the web
 * server actually listens on, known only once it has started (a random one in tests), which is before the streams start
 * (the web server's lifecycle phase comes first). Without an advertised host the instance answers alone, from its own stores.
 */
@Component
public class AdvertisedAddress implements ApplicationListener<WebServerInitializedEvent> {

    private final StreamsBuilderFactoryBean streams;
    private final AnalyticsProperties properties;
    private volatile HostInfo self;

    public AdvertisedAddress(StreamsBuilderFactoryBean streams, AnalyticsProperties properties) {
        this.streams = streams;
        this.properties = properties;
    }

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        if (event.getApplicationContext().getServerNamespace() != null || properties.advertisedHost() == null
                || properties.advertisedHost().isBlank()) {
            return; // the management server's, or a lone instance
        }
        if (streams.isRunning()) {
            throw new IllegalStateException("the streams started before the web server: their address cannot be advertised");
        }
        HostInfo address = new HostInfo(properties.advertisedHost(), event.getWebServer().getPort());
        Properties config = new Properties();
        config.putAll(streams.getStreamsConfiguration());
        config.put(StreamsConfig.APPLICATION_SERVER_CONFIG, address.host() + ":" + address.port());
        streams.setStreamsConfiguration(config);
        self = address;
    }

    /** This instance's address; null for a lone instance. */
    public HostInfo self() {
        return self;
    }
}
