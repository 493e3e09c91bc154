package org.streamasr.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nats.client.Connection;
import io.nats.client.Nats;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JetStream publish that no server takes (no stream on the subject, or none while a leader is elected) fails with
 * NATS's "no responders" answer, which {@link NatsCluster#noResponders} tells apart from a lost answer: a submission
 * that met it was not stored, so the client gets store_unavailable and nothing is withdrawn. Checked on the answer
 * a real nats-server gives, not on a made-up message.
 */
class NoRespondersTest {
    @TempDir
    Path dir;

    @Test
    void aPublishNoStreamTakesIsNoResponders() throws Exception {
        try (NatsServerProcess nats = NatsServerProcess.start(dir);
             Connection c = Nats.connect(nats.url())) {
            byte[] data = "x".getBytes(StandardCharsets.UTF_8);
            ExecutionException async = assertThrows(ExecutionException.class,
                    () -> c.jetStream().publishAsync("nobody.stores.this", data).get(10, TimeUnit.SECONDS));
            assertTrue(NatsCluster.noResponders(async), String.valueOf(async.getCause()));
            IOException sync = assertThrows(IOException.class, () -> c.jetStream().publish("nobody.stores.this", data));
            assertTrue(NatsCluster.noResponders(sync), sync.toString());
            assertFalse(NatsCluster.noResponders(new IOException("Timeout or no response waiting for NATS JetStream")));
        }
    }
}
