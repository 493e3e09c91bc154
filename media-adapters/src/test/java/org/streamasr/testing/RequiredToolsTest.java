package org.streamasr.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** A missing tool skips a test on a developer's machine and fails it under ASR_REQUIRE_TOOLS=1 (CI). */
class RequiredToolsTest {

    @Test
    void aMissingToolSkipsLocallyAndFailsWhenStrict() {
        TestAbortedException skipped = assertThrows(TestAbortedException.class,
                () -> RequiredTools.require(false, "frobnicator not installed", false));
        assertTrue(skipped.getMessage().contains("SKIPPED: frobnicator not installed"), skipped.getMessage());
        AssertionFailedError failed = assertThrows(AssertionFailedError.class,
                () -> RequiredTools.require(false, "frobnicator not installed", true));
        assertTrue(failed.getMessage().contains("MISSING (ASR_REQUIRE_TOOLS=1): frobnicator not installed"),
                failed.getMessage());
        RequiredTools.require(true, "present", true);
        RequiredTools.require(true, "present", false);
    }

    @Test
    void commandsAreLookedUpOnThePath() {
        assertTrue(RequiredTools.onPath("sh"));
        assertTrue(!RequiredTools.onPath("no-such-command-anywhere"));
    }
}
