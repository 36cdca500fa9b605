package io.fugou.analytics;

import static io.fugou.testsupport.OrderEventMother.paid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.events.orders.OrderEvent;
import io.fugou.events.points.EarningSource;
import io.fugou.events.points.PointsEarned;
import io.fugou.events.points.PointsEvent;
import io.fugou.platform.security.LocalTokens;
import io.fugou.testsupport.KafkaTestClient;
import io.fugou.testsupport.TestTokens;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** The dashboard in real headless Chromium: it signs in, draws the merchant's figures, and redraws when an order arrives. */
@AnalyticsIntegrationTest
class AnalyticsDashboardIT {

    private static final Duration ARRIVAL = Duration.ofSeconds(60);
    /** Debian's packages (deploy/test installs them when missing). */
    private static final File CHROMIUM = new File("/usr/bin/chromium");
    private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");

    @LocalServerPort
    private int port;

    @Autowired
    private WebTestClient web;

    @Autowired
    private LocalTokens localTokens;

    private final KafkaTestClient shop = new KafkaTestClient();

    @Test
    void thePageIsPublicAndItsDataIsNot() {
        web.get().uri("/dashboard").exchange().expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_HTML)
                .expectBody(String.class).value(page -> assertThat(page).contains("/dashboard/dashboard.js", "echarts.min.js"));
        web.get().uri("/webjars/echarts/5.1.2/echarts.min.js").exchange().expectStatus().isOk();
        web.get().uri("/api/v1/analytics/headline").exchange().expectStatus().isUnauthorized();
    }

    @Test
    void theDashboardDrawsTheFiguresAndRedrawsWhenAnOrderArrives() throws Exception {
        assertThat(CHROMIUM).as("Debian's chromium (deploy/test installs it: apt-get install chromium chromium-driver)").isFile();
        assertThat(CHROMEDRIVER).as("Debian's chromium-driver").isFile();
        String merchant = "dash-" + UUID.randomUUID().toString().substring(0, 8);
        pay(merchant, "A", "a1", 20);
        pay(merchant, "A", "a2", 3);
        pay(merchant, "B", "b1", 2);
        shop.publish(Topics.POINTS, new MemberKey(merchant, "A"), PointsEvent.newBuilder().setEventId(UUID.randomUUID().toString())
                .setOccurredAt(Instant.now()).setMerchantId(merchant).setCustomerId("A").setSequence(1)
                .setPayload(PointsEarned.newBuilder().setEntryId("e1").setPoints(258).setSource(EarningSource.ORDER).setBalanceAfter(258)
                        .setPendingAfter(0).build()).build());
        String token = new TestTokens(localTokens).forMerchant(merchant, "analytics:read");
        await().atMost(ARRIVAL).untilAsserted(() -> web.get().uri("/api/v1/analytics/members").header("Authorization", "Bearer " + token)
                .exchange().expectBody().jsonPath("$.points.balance").isEqualTo(258));

        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM)
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,2000", "--lang=en-US");
        ChromeDriver browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER).build(), options);
        try {
            browser.get("http://localhost:" + port + "/dashboard#token=" + token);
            WebDriverWait wait = new WebDriverWait(browser, ARRIVAL);
            wait.until(driver -> "2".equals(driver.findElement(By.id("kpi-30d")).getDomAttribute("data-buyers")));
            assertThat(browser.findElement(By.cssSelector("#kpi-30d .value")).getText()).isEqualTo("50.0%");
            assertThat(browser.findElement(By.id("merchant")).getText()).isEqualTo(merchant);
            wait.until(driver -> total(driver, "chart-frequency") == 2 && total(driver, "chart-funnel") == 2 && total(driver, "chart-points") > 0
                    && count(driver, "chart-cohorts") > 0 && count(driver, "chart-trend") > 0);
            assertThat(browser.findElement(By.cssSelector("#kpi-points .value")).getText()).isEqualTo("258");
            assertThat(says(browser, "chart-campaigns", "no data yet")).as("a merchant without campaigns is told so").isTrue();
            assertThat(says(browser, "chart-funnel", "no data yet")).as("the stages have members").isFalse();

            pay(merchant, "C", "c1", 1); // the stream says the figures moved: the board redraws without a reload
            wait.until(driver -> "3".equals(driver.findElement(By.id("kpi-30d")).getDomAttribute("data-buyers")));
            wait.until(driver -> total(driver, "chart-frequency") == 3);

            Thread.sleep(1_000); // the redrawn charts' animation, for the screenshot only
            Path screenshot = Path.of("target", "dashboard.png");
            Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), screenshot, StandardCopyOption.REPLACE_EXISTING);
            assertThat(Files.size(screenshot)).isPositive();

            browser.findElement(By.id("language")).click();
            assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("复购看板");
            wait.until(driver -> driver.findElement(By.cssSelector("#kpi-30d h2")).getText().equals("30天复购率"));
            wait.until(driver -> "发放".equals(((JavascriptExecutor) driver).executeScript(
                    "return echarts.getInstanceByDom(document.getElementById('chart-points')).getOption().xAxis[0].data[0]")));
            Thread.sleep(1_000); // the redrawn charts' animation, for the screenshot only
            Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), Path.of("target", "dashboard-zh.png"), StandardCopyOption.REPLACE_EXISTING);
        } finally {
            browser.quit();
        }
    }

    /** The sum of the values of a chart's first series (0 while it is not drawn). */
    private static long total(org.openqa.selenium.WebDriver driver, String chart) {
        Object sum = ((JavascriptExecutor) driver).executeScript("""
                const chart = echarts.getInstanceByDom(document.getElementById(arguments[0]));
                if (!chart) { return 0; }
                const data = chart.getOption().series[0].data || [];
                return data.reduce((sum, item) => sum + Number(item && typeof item === 'object' ? item.value : item || 0), 0);""", chart);
        return ((Number) sum).longValue();
    }

    /** Whether a chart writes the text over its drawing (its placeholder when it has nothing to draw). */
    private static boolean says(org.openqa.selenium.WebDriver driver, String chart, String text) {
        return Boolean.TRUE.equals(((JavascriptExecutor) driver).executeScript("""
                const chart = echarts.getInstanceByDom(document.getElementById(arguments[0]));
                return !!chart && JSON.stringify(chart.getOption().graphic || []).includes(arguments[1]);""", chart, text));
    }

    /** How many data items a chart's first series has. */
    private static long count(org.openqa.selenium.WebDriver driver, String chart) {
        Object count = ((JavascriptExecutor) driver).executeScript("""
                const chart = echarts.getInstanceByDom(document.getElementById(arguments[0]));
                return chart ? (chart.getOption().series[0].data || []).filter(item => item !== null).length : 0;""", chart);
        return ((Number) count).longValue();
    }

    private void pay(String merchant, String customer, String orderId, int daysAgo) {
        OrderEvent order = OrderEvent.newBuilder(paid(merchant, customer, orderId))
                .setOccurredAt(Instant.now().truncatedTo(ChronoUnit.MILLIS).minus(Duration.ofDays(daysAgo))).build();
        shop.publish(Topics.ORDERS, new MemberKey(merchant, customer), order);
    }
}
