package dev.concord.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.concord.replica.testing.CustomerStates;
import dev.concord.replica.testing.StatePublisher;
import dev.concord.replica.testing.TestTypes;
import dev.concord.testsupport.KafkaBrokerExtension;
import dev.concord.testsupport.KafkaTestClients;
import dev.concord.testsupport.PostgresExtension;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The live page in a real headless Chromium (Debian's {@code chromium} and {@code chromedriver},
 * driven by Selenium): it lists a type's entities, then a state published to Kafka shows up in its
 * row over the WebSocket, without a reload. Real broker, real PostgreSQL, real browser. Without
 * Chromium installed the test fails and says what to install; it is never skipped.
 */
@ExtendWith({KafkaBrokerExtension.class, PostgresExtension.class})
class LivePageBrowserTest {

    private static final Path CHROMIUM = Path.of(System.getProperty("concord.test.chromium", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("concord.test.chromedriver", "/usr/bin/chromedriver"));
    private static final Duration WITHIN = Duration.ofSeconds(60);

    private static TestTypes types;
    private static StatePublisher publisher;
    private static RunningReplica replica;
    private static Path profile;
    private static WebDriver browser;

    @BeforeAll
    static void startReplicaAndBrowser() throws IOException {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            String missing = "The live-page test needs Debian's Chromium and its driver at " + CHROMIUM + " and " + CHROMEDRIVER
                    + "; install them with: apt-get install -y chromium chromium-driver";
            // CI installs them and sets CONCORD_REQUIRE_TOOLS, so there a missing browser fails the build; on a
            // machine with only a JDK and Maven the test is skipped, loudly, instead of failing `mvn verify`.
            if (System.getenv("CONCORD_REQUIRE_TOOLS") != null) {
                fail(missing);
            }
            org.junit.jupiter.api.Assumptions.abort(missing + " (skipped; CONCORD_REQUIRE_TOOLS=1 makes it a failure)");
        }
        types = TestTypes.declare(3, "live", "empty");
        publisher = StatePublisher.connect(KafkaBrokerExtension.bootstrapServers(), types);
        replica = RunningReplica.start(KafkaBrokerExtension.bootstrapServers(), PostgresExtension.createDatabase(),
                KafkaTestClients.uniqueId("live"), types, Map.of());
        profile = Files.createTempDirectory("concord-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1200,800", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stopBrowserAndReplica() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (replica != null) {
            replica.close();
        }
        if (publisher != null) {
            publisher.close();
        }
        if (profile != null) {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    @Test
    void shouldUpdateRowInPlaceWhenStateIsPublishedToKafka() throws IOException {
        String type = types.name(0);
        CustomerStates states = publisher.states(type);
        publisher.publish(type, "ada", states.live("ada", 1, "Ada"));
        publisher.publish(type, "grace", states.live("grace", 1, "Grace"));

        browser.get(replica.url() + "/live?type=" + type + "#key=" + RunningReplica.KEY);
        WebDriverWait wait = new WebDriverWait(browser, WITHIN);
        wait.until(page -> text(By.id("state")).equals("live") && rows().size() == 2);
        assertThat(cells("ada")).containsEntry("version", "1").containsEntry("writer", "sales")
                .containsEntry("deleted", "no").containsEntry("data-name", "Ada");

        publisher.publish(type, "ada", states.live("ada", 2, "Ada Lovelace", "support"));
        publisher.publish(type, "linus", states.live("linus", 1, "Linus"));
        publisher.publish(type, "grace", states.deleted("grace", 2));

        wait.until(page -> "2".equals(cells("ada").get("version")) && rows().size() == 3
                && "yes".equals(cells("grace").get("deleted")));
        assertThat(cells("ada")).containsEntry("writer", "support").containsEntry("data-name", "Ada Lovelace")
                .containsEntry("data-email", "ada lovelace@example.com");
        assertThat(cells("linus")).containsEntry("version", "1");
        assertThat(cells("grace")).containsEntry("version", "2");
        assertThat(rows()).extracting(row -> row.getAttribute("data-id")).containsExactly("ada", "grace", "linus");
        Path screenshot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(screenshot, Path.of("target", "live-page.png"), StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void shouldGoLiveOnTypeWithoutEntitiesAndShowTheFirstOneWhenItArrives() {
        // Given a type nothing was written to yet
        String type = types.name(1);
        browser.get(replica.url() + "/live?type=" + type);
        WebDriverWait wait = new WebDriverWait(browser, WITHIN);
        wait.until(page -> text(By.id("state")).equals("live"));
        assertThat(rows()).isEmpty();
        assertThat(text(By.id("count"))).isEqualTo("0");

        // When its first entity is published
        publisher.publish(type, "first", publisher.states(type).live("first", 1, "First"));

        // Then it shows up
        wait.until(page -> rows().size() == 1);
        assertThat(cells("first")).containsEntry("version", "1").containsEntry("data-name", "First");
    }

    private static String text(By by) {
        return browser.findElement(by).getText();
    }

    private static List<WebElement> rows() {
        return browser.findElements(By.cssSelector("#rows tr"));
    }

    /** The row's cells by class (id, version, writer, deleted, data-<field>); empty if there is no such row. */
    private static Map<String, String> cells(String id) {
        List<WebElement> row = browser.findElements(By.cssSelector("#rows tr[data-id='" + id + "']"));
        if (row.isEmpty()) {
            return Map.of();
        }
        Map<String, String> cells = new java.util.HashMap<>();
        for (WebElement cell : row.get(0).findElements(By.tagName("td"))) {
            cells.put(cell.getAttribute("class"), cell.getText());
        }
        return cells;
    }
}
