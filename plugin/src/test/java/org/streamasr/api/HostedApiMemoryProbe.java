package org.streamasr.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A measurement, not a check (run with {@code -Dasr.memory-probe=1}): 100 concurrent sync requests, each a
 * 14 MiB data: URI, against the API on loopback; prints the process's resident set and heap before, at the peak and
 * after the load. The client streams every body from one shared array (the JDK's ofByteArray would copy it per
 * request), so the figures are the server's. Requests answered 503 (body
 * budget) are retried after their Retry-After.
 */
@EnabledIfSystemProperty(named = "asr.memory-probe", matches = "1")
class HostedApiMemoryProbe {
    @TempDir
    Path dir;

    @Test
    void hundredConcurrentFourteenMebibyteDataUris() throws Exception {
        CountingEngine engine = new CountingEngine();
        try (ApiServer server = new ApiServer(engine, dir, "asr.api.max-queued = 200\n")) {
            // a client of its own (patient to connect while 100 arrive at once), on the server's client threads
            client = java.net.http.HttpClient.newBuilder().executor(server.clientThreads)
                    .connectTimeout(Duration.ofMinutes(2)).build();
            byte[] body = ApiServer.input(ApiServer.toneDataUri(10.5 * 1024 * 1024 / 32000.0)).getBytes(StandardCharsets.UTF_8);
            System.out.printf("body %.1f MiB%n", body.length / 1048576.0);
            long rssBefore = settle();
            long heapBefore = heapUsed();
            AtomicLong peakRss = new AtomicLong();
            AtomicLong peakHeap = new AtomicLong();
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    peakRss.accumulateAndGet(rss(), Math::max);
                    peakHeap.accumulateAndGet(heapUsed(), Math::max);
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.start();
            long t0 = System.nanoTime();
            List<CompletableFuture<Integer>> all = new ArrayList<>();
            for (int i = 0; i < 100; i++) all.add(CompletableFuture.supplyAsync(() -> post(server, body), server.clientThreads));
            Map<Integer, Integer> codes = new TreeMap<>();
            for (CompletableFuture<Integer> f : all) codes.merge(f.get(), 1, Integer::sum);
            double seconds = (System.nanoTime() - t0) / 1e9;
            sampler.interrupt();
            sampler.join();
            long rssAfter = settle();
            System.out.printf("answers %s in %.1f s; 503s retried: %d%n", codes, seconds, retries.get());
            System.out.printf("RSS MiB: before %d, peak %d, after %d; heap used MiB: before %d, peak %d, after GC %d; max heap %d%n",
                    rssBefore >> 20, peakRss.get() >> 20, rssAfter >> 20, heapBefore >> 20, peakHeap.get() >> 20,
                    heapUsed() >> 20, Runtime.getRuntime().maxMemory() >> 20);
            assertEquals(100, codes.getOrDefault(200, 0), "every request transcribed: " + codes);
        }
    }

    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private java.net.http.HttpClient client;

    private int post(ApiServer server, byte[] body) {
        try {
            while (true) {
                HttpRequest r = HttpRequest.newBuilder(URI.create(server.base() + ApiServer.MODEL))
                        .timeout(Duration.ofMinutes(10)).version(java.net.http.HttpClient.Version.HTTP_1_1)
                        .header("Authorization", "Key " + ApiServer.KEY).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.fromPublisher(
                                HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body)), body.length))
                        .build();
                HttpResponse<String> a = client.send(r, HttpResponse.BodyHandlers.ofString());
                if (a.statusCode() != 503) return a.statusCode();
                retries.incrementAndGet();
                Thread.sleep(1000L * Long.parseLong(a.headers().firstValue("Retry-After").orElse("1")));
            }
        } catch (java.io.IOException e) {
            // a refused body's connection is closed while it is still being sent: retry as after a 503
            if (failures.incrementAndGet() <= 3) e.printStackTrace(System.out);
            retries.incrementAndGet();
            return post(server, body);
        } catch (Exception e) {
            if (failures.incrementAndGet() <= 3) e.printStackTrace(System.out);
            return -1;
        }
    }

    private static long settle() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(500);
        }
        return rss();
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        } catch (Exception ignored) {
            // not Linux
        }
        return 0;
    }
}
