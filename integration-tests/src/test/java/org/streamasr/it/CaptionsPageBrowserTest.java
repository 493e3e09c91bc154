package org.streamasr.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.streamasr.demo.DemoCall;
import org.streamasr.demo.DemoConversation;
import org.streamasr.server.AsrServer;
import org.streamasr.testing.TestServers;

/**
 * The captions page in headless Chromium against a real server and engine: while a demo call runs, the page lists
 * it, subscribes to its captions and shows finals in black with the speaker's name (partials grey).
 */
class CaptionsPageBrowserTest {
    private static final String BLACK = "rgba(0, 0, 0, 1)";

    @TempDir
    Path profile;

    @Test
    void thePageShowsLiveCaptionsWithSpeakerNames() throws Exception {
        List<DemoConversation.Participant> people = DemoConversation.aliceAndBob(DemoConversation.DEBIAN_CLIPS, 2);
        String callId = "page-demo";
        try (AsrServer server = AsrServer.start(TestServers.config(DemoCallEndToEndTest.UNHURRIED))) {
            ChromeDriver browser = chromium();
            try {
                browser.get(server.baseUri() + "/?call=" + callId);
                CompletableFuture<DemoCall.Result> call = CompletableFuture.supplyAsync(() -> {
                    try {
                        return DemoCall.run(server.baseUri(), null, callId, people, 1.0, e -> { });
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
                wait.until(d -> !d.findElements(By.cssSelector("#calls li[data-call-id='" + callId + "']")).isEmpty());
                // Bob's short clip ends in a final; Alice's long one too.
                for (String name : List.of("Alice", "Bob")) {
                    WebElement line = wait.until(d -> d.findElements(By.cssSelector("#captions .line.final")).stream()
                            .filter(l -> l.findElement(By.className("speaker")).getText().equals(name + ":"))
                            .filter(l -> !l.findElement(By.className("text")).getText().isBlank())
                            .findFirst().orElse(null));
                    assertEquals(BLACK, line.getCssValue("color"), name + "'s final is black");
                }
                String text = browser.findElement(By.id("captions")).getText();
                assertTrue(text.contains("young man"), text);
                DemoCall.Result result = call.get(120, TimeUnit.SECONDS);
                assertTrue(result.partials() > 0, "partials were sent");
                wait.until(d -> d.findElement(By.id("call-status")).getText().contains("call ended"));
            } finally {
                browser.quit();
            }
        }
    }

    @Test
    void partialsAreGreyUntilTheirFinal() throws Exception {
        Path css = Path.of(TestServers.class.getResource("/web/style.css").toURI());
        String style = Files.readString(css);
        assertTrue(style.contains(".line.partial { color: #888888; }"), style);
        assertTrue(style.contains(".line.final { color: #000000; }"), style);
    }

    private ChromeDriver chromium() {
        System.setProperty("webdriver.chrome.driver", "/usr/bin/chromedriver");
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile.toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new java.io.File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }
}
