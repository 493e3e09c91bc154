package org.streamasr.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
import org.streamasr.tools.demo.DemoCall;
import org.streamasr.tools.demo.DemoConversation;
import org.streamasr.server.AsrServer;
import org.streamasr.testing.TestServers;
import org.streamasr.testing.RequiredTools;

/**
 * The captions page in headless Chromium against a real server and engine: while a demo call runs, the page lists
 * it, subscribes to its captions, shows each utterance grey while it is partial and black once final, with the
 * speaker's name.
 */
class CaptionsPageBrowserTest {
    private static final String BLACK = "rgb(0, 0, 0)";
    private static final String GREY = "rgb(136, 136, 136)";

    /**
     * Records, in the page, every class change of a caption line with the colour the browser computed for it then:
     * partials are replaced in place within milliseconds, so polling from the test would miss them.
     */
    private static final String WATCH_LINES = """
            window.__lineStates = [];
            const record = el => window.__lineStates.push({
                id: el.__lineId || (el.__lineId = String(window.__lineStates.length)),
                type: el.classList.contains('final') ? 'final' : el.classList.contains('partial') ? 'partial' : '',
                color: getComputedStyle(el).color,
                text: (el.querySelector('.text') || el).textContent});
            new MutationObserver(records => records.forEach(r => {
                if (r.type === 'attributes' && r.target.classList.contains('line')) record(r.target);
                r.addedNodes.forEach(n => { if (n.classList && n.classList.contains('line')) record(n); });
            })).observe(document.getElementById('captions'),
                    {subtree: true, childList: true, attributes: true, attributeFilter: ['class']});
            """;

    @TempDir
    Path profile;

    @Test
    void thePageShowsLiveCaptionsWithSpeakerNames() throws Exception {
        RequiredTools.file(Path.of("/usr/bin/chromium"), "chromium");
        RequiredTools.file(Path.of("/usr/bin/chromedriver"), "chromium-driver");
        RequiredTools.file(DemoConversation.DEBIAN_CLIPS.resolve("transcription"), "pocketsphinx-testdata");
        List<DemoConversation.Participant> people = DemoConversation.aliceAndBob(DemoConversation.DEBIAN_CLIPS, 2);
        String callId = "page-demo";
        try (AsrServer server = AsrServer.start(TestServers.config(DemoCallEndToEndTest.UNHURRIED))) {
            ChromeDriver browser = chromium();
            try {
                browser.get(server.baseUri() + "/?call=" + callId);
                browser.executeScript(WATCH_LINES);
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
                    WebElement line = wait.until(d -> {
                        if (call.isCompletedExceptionally()) {
                            call.join(); // the demo call's own failure, not a timeout of this wait
                        }
                        return d.findElements(By.cssSelector("#captions .line.final")).stream()
                                .filter(l -> l.findElement(By.className("speaker")).getText().equals(name + ":"))
                                .filter(l -> !l.findElement(By.className("text")).getText().isBlank())
                                .findFirst().orElse(null);
                    });
                    assertEquals("rgba(0, 0, 0, 1)", line.getCssValue("color"), name + "'s final is black");
                }
                String text = browser.findElement(By.id("captions")).getText();
                assertTrue(text.contains("young man"), text);
                DemoCall.Result result = call.get(120, TimeUnit.SECONDS);
                assertTrue(result.partials() > 0, "partials were sent");
                wait.until(d -> d.findElement(By.id("call-status")).getText().contains("call ended"));
                assertPartialsGreyThenFinalBlack(browser);
            } finally {
                browser.quit();
            }
        }
    }

    /** Some line was shown grey with text while partial, and that same line turned black when its final came. */
    @SuppressWarnings("unchecked")
    private static void assertPartialsGreyThenFinalBlack(ChromeDriver browser) {
        List<Map<String, Object>> states = (List<Map<String, Object>>) browser.executeScript(
                "return window.__lineStates;");
        assertTrue(states != null && !states.isEmpty(), "the page recorded caption lines");
        Map<String, List<Map<String, Object>>> byLine = new LinkedHashMap<>();
        for (Map<String, Object> state : states) {
            byLine.computeIfAbsent((String) state.get("id"), k -> new ArrayList<>()).add(state);
            if ("partial".equals(state.get("type"))) {
                assertEquals(GREY, state.get("color"), "a partial is grey: " + state);
            } else if ("final".equals(state.get("type"))) {
                assertEquals(BLACK, state.get("color"), "a final is black: " + state);
            }
        }
        long greyThenBlack = byLine.values().stream()
                .filter(seq -> seq.stream().anyMatch(s -> "partial".equals(s.get("type"))
                        && !((String) s.get("text")).isBlank()))
                .filter(seq -> "final".equals(seq.get(seq.size() - 1).get("type")))
                .count();
        assertTrue(greyThenBlack >= 2, "at least two utterances were shown grey, then black in place: " + byLine);
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
