package org.herd.node;

import org.herd.node.fixtures.InProcessHerd;
import org.herd.node.fixtures.LineClient;
import org.herd.node.fixtures.TestHerd;
import com.fasterxml.jackson.databind.JsonNode;
import org.herd.stream.model.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.herd.node.fixtures.HttpClientSupport.send;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The live map (docs/http.md, "The live map") in a real browser: Debian's {@code chromium}, headless, driven
 * through {@code chromedriver} by Selenium, against two real nodes and a real broker. The page
 * loads with no request leaving the node's port, a client posted by IAMAT at the other node
 * appears, a fence event shows up, and on the admin port the operators' panel compares the
 * herd's digests. Its screenshot is {@code node/target/map-it/map.png} (docs/map.png is one).
 * Where the browser is missing it runs {@code scripts/install-browser} (Debian's {@code chromium} and
 * {@code chromium-driver}); where that cannot install them it skips, saying why.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the second stops a node
class MapIT {
    private static final Path CHROMIUM = Path.of(System.getProperty("herd.test.chromium", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("herd.test.chromedriver", "/usr/bin/chromedriver"));
    /** UCLA, where the page opens (its default view), and a fence of 1 km around it. */
    private static final String FENCE = "{\"circle\": {\"lat\": 34.0689, \"lng\": -118.4452, \"radius\": 1000}}";

    @RegisterExtension
    static final InProcessHerd HERD = InProcessHerd.of("Alford", "Ball")
            .bundledPlaces(p -> p.vicinity().endsWith(", CA, US"))
            // the operators' panel asks each node's admin port: known ports, not chosen at start
            .with("node.Alford.admin.port", String.valueOf(freePort()))
            .with("node.Ball.admin.port", String.valueOf(freePort()))
            .with("herd.nodes", "Alford,Ball");

    private TestHerd herd;
    private WebDriver browser;

    @BeforeAll
    void theHerdAndABrowser() {
        herd = HERD.herd();
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            installBrowser();
        }
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "no browser: " + CHROMIUM + " or " + CHROMEDRIVER + " is missing and scripts/install-browser could not"
                        + " install them (apt-get install chromium chromium-driver)");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,800", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-default-apps", "--disable-sync");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.PERFORMANCE, Level.ALL); // every request the page makes, from Chrome's network domain
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        try {
            browser = new ChromeDriver(service, options);
        } catch (RuntimeException e) {
            assumeTrue(false, "chromium is installed but cannot start here: " + e.getMessage().lines().findFirst().orElse(""));
        }
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
    }

    /** Debian's packages, as {@code scripts/install-browser} installs them (it needs root or sudo, and apt). */
    private static void installBrowser() {
        Path script = Path.of("..", "scripts", "install-browser");
        if (!Files.isExecutable(script)) {
            return;
        }
        try {
            Process p = new ProcessBuilder("bash", script.toString()).inheritIO().start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            System.err.println("MapIT: scripts/install-browser: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @AfterAll
    void closeTheBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The URLs of every request the page has made since the last call (Chrome's performance log). */
    private List<String> requestedUrls() throws IOException {
        List<String> urls = new ArrayList<>();
        for (LogEntry e : browser.manage().logs().get(LogType.PERFORMANCE)) {
            JsonNode message = Json.MAPPER.readTree(e.getMessage()).path("message");
            if (message.path("method").asText().equals("Network.requestWillBeSent")) {
                urls.add(message.at("/params/request/url").asText());
            }
        }
        return urls;
    }

    private List<WebElement> all(String css) {
        return browser.findElements(By.cssSelector(css));
    }

    @Test
    @Order(1)
    void theMapShowsClientsAndFenceEventsWithNothingFetchedFromOutsideTheNode() throws Exception {
        int alford = herd.node("Alford").httpPort();
        assertThat(send("PUT", alford, "/v1/fences/map-campus", FENCE).status()).isEqualTo(200);
        assertThat(send("POST", alford, "/v1/places", "{\"name\": \"Daily Bruin: the map is up\", \"lat\": 34.0520,"
                + " \"lng\": -118.4050, \"types\": [\"news\"]}").status()).isEqualTo(201);
        browser.get("http://127.0.0.1:" + alford + "/map");

        // the base map (Natural Earth countries) is drawn, and the fence
        await().atMost(Duration.ofSeconds(30)).until(() -> all("path.leaflet-interactive").size() >= 2);
        await().atMost(Duration.ofSeconds(30)).until(() -> browser.findElement(By.id("fences-count")).getText().equals("1"));
        // places in view, and the news item among them (drawn apart from the places)
        await().atMost(Duration.ofSeconds(30)).until(() -> all("path.herd-news").size() == 1 && all("path.herd-place").size() >= 1);
        // the public port has no operators' panel, and says where it is
        await().atMost(Duration.ofSeconds(30)).until(() -> browser.findElement(By.id("herd")).getText().contains("admin port"));

        // a client posted at another node by IAMAT appears, and its entering the fence shows as an event
        AtomicInteger time = new AtomicInteger(1000);
        try (LineClient ball = herd.client("Ball")) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                // out and back in until the derivation, which judges updates after it stored the fence, reports it
                assertThat(ball.ask("IAMAT map-kiwi +35.000000-118.000000 " + time.incrementAndGet())).startsWith("AT Ball");
                assertThat(ball.ask("IAMAT map-kiwi +34.068930-118.445127 " + time.incrementAndGet())).startsWith("AT Ball");
                return all("li.herd-event.enter").stream().anyMatch(li -> li.getText().startsWith("map-kiwi enter map-campus"));
            });
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> all("path.herd-client").size() >= 1);
        assertThat(browser.findElement(By.id("health")).getText()).startsWith("serving");

        List<String> urls = requestedUrls();
        assertThat(urls).as("requests the page made").isNotEmpty()
                .anyMatch(u -> u.contains("/map/leaflet.js"))
                .anyMatch(u -> u.contains("/v1/locations?bbox="))
                .allMatch(u -> u.startsWith("http://127.0.0.1:" + alford + "/") || u.startsWith("data:") || u.equals("about:blank"),
                        "every request goes to the node itself");
        screenshot("map.png");

        // names come from anyone who can write: a news item named with markup is shown as text
        String markup = "<img id=\\\"pwned\\\" src=\\\"x\\\">";
        assertThat(send("POST", alford, "/v1/places", "{\"name\": \"" + markup + "\", \"lat\": 34.0900,"
                + " \"lng\": -118.4000, \"types\": [\"news\"]}").status()).isEqualTo(201);
        browser.findElement(By.cssSelector("a.leaflet-control-zoom-in")).click(); // the view moves: places are asked again
        await().atMost(Duration.ofSeconds(30)).until(() -> all("path.herd-news").size() == 2);
        for (WebElement news : all("path.herd-news")) {
            new org.openqa.selenium.interactions.Actions(browser).moveToElement(news).perform();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> all(".leaflet-tooltip").stream()
                .anyMatch(t -> t.getText().equals("news: <img id=\"pwned\" src=\"x\">")));
        assertThat(all("#pwned")).isEmpty();
    }

    @Test
    @Order(2)
    void onTheAdminPortTheOperatorsPanelComparesTheHerdsDigests() throws Exception {
        int admin = herd.node("Ball").adminPort();
        browser.get("about:blank");
        requestedUrls(); // what earlier pages asked for
        browser.get("http://127.0.0.1:" + admin + "/map");
        await().atMost(Duration.ofSeconds(60)).until(() -> all("#herd tr.herd-node").size() == 2);
        assertThat(all("#herd tr.herd-node")).extracting(tr -> tr.findElement(By.tagName("td")).getText())
                .containsExactly("Alford", "Ball");
        // digests agree once both nodes have applied the same records; the button compares again
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            String verdict = verdict();
            if (verdict.startsWith("digests DIFFER")) {
                browser.findElement(By.id("compare")).click();
            }
            return verdict.equals("digests agree");
        });
        // the admin status fills the node's panel there; the public reads the map needs are answered too
        await().atMost(Duration.ofSeconds(30)).until(() -> browser.findElement(By.id("health")).getText().startsWith("Ball: serving"));
        assertThat(requestedUrls()).isNotEmpty().allMatch(u -> u.startsWith("http://127.0.0.1:" + admin + "/") || u.startsWith("data:"));
        screenshot("map-admin.png");

        herd.stop("Alford");
        browser.findElement(By.id("compare")).click();
        await().atMost(Duration.ofSeconds(60)).until(() -> verdict().startsWith("digests DIFFER"));
        assertThat(all("#herd tr.herd-node.down")).extracting(tr -> tr.findElement(By.tagName("td")).getText())
                .containsExactly("Alford");
    }

    /** The panel's verdict on the herd's digests, or "" while it compares. */
    private String verdict() {
        return all("#verdict").stream().map(WebElement::getText).findFirst().orElse("");
    }

    private void screenshot(String name) throws IOException {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Path dir = Path.of("target", "map-it");
        Files.createDirectories(dir);
        Files.copy(shot.toPath(), dir.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
