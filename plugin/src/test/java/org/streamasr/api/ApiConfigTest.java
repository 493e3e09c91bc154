package org.streamasr.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code asr.api}: the store-call pool's size and queue, their defaults and their bounds, named by key. */
class ApiConfigTest {

    @Test
    void theStoreCallPoolIsSixteenThreadsWithSixtyFourWaitingUnlessSet(@TempDir Path dir) {
        ApiConfig defaults = ApiServer.config(dir, "");
        assertEquals(16, defaults.storeCallThreads());
        assertEquals(64, defaults.storeCallQueue());
        ApiConfig set = ApiServer.config(dir, "asr.api.store-call-threads = 4\nasr.api.store-call-queue = 500");
        assertEquals(4, set.storeCallThreads());
        assertEquals(500, set.storeCallQueue());
    }

    @Test
    void aStoreCallPoolSettingOutOfBoundsNamesItsKey(@TempDir Path dir) {
        IllegalArgumentException threads = assertThrows(IllegalArgumentException.class,
                () -> ApiServer.config(dir, "asr.api.store-call-threads = 0"));
        assertEquals("asr.api.store-call-threads: must be between 1 and 256, got 0", threads.getMessage());
        IllegalArgumentException queue = assertThrows(IllegalArgumentException.class,
                () -> ApiServer.config(dir, "asr.api.store-call-queue = 10001"));
        assertEquals("asr.api.store-call-queue: must be between 1 and 10000, got 10001", queue.getMessage());
    }
}
