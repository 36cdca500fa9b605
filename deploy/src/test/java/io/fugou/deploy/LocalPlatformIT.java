package io.fugou.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The README's run command keeps working: the whole platform starts from the built jars and answers. */
class LocalPlatformIT {

    private static LocalPlatform platform;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startPlatform() {
        platform = LocalPlatform.start(Path.of(System.getProperty("fugou.project.dir", "..")), LocalPlatform.anyPorts());
    }

    @AfterAll
    static void stopPlatform() {
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    void everyServiceIsReady() throws Exception {
        assertThat(platform.serviceUrls()).hasSize(4);
        for (String url : platform.serviceUrls()) {
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(url + "/actuator/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).as(url).isEqualTo(200);
            assertThat(health.body()).contains("UP");
        }
    }

    @Test
    void thePrintedTokenIsAcceptedAndScopedToTheDemoMerchant() throws Exception {
        String loyalty = platform.serviceUrl("loyalty-service");

        HttpResponse<String> withToken = http.send(HttpRequest.newBuilder(URI.create(loyalty + "/api/v1/paid-orders/unknown"))
                .header("Authorization", "Bearer " + platform.token()).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> withoutToken = http.send(HttpRequest.newBuilder(URI.create(loyalty + "/api/v1/paid-orders/unknown")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(withToken.statusCode()).isEqualTo(404);
        assertThat(withoutToken.statusCode()).isEqualTo(401);
        assertThat(withoutToken.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).contains("application/problem+json"));
    }
}
