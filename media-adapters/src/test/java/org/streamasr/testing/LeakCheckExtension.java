package org.streamasr.testing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntSupplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaks tracked resources (streams, tensors, decoders), a test class that leaves threads running,
 * and any test during which a background thread threw. Registered for every test through JUnit's extension
 * auto-detection (META-INF/services in this test-jar).
 *
 * <p>Production code exposes open-resource counts; tests register them with {@link #track(String, IntSupplier)}.
 */
public final class LeakCheckExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    /** Threads the JVM or libraries keep for the whole process; never a leak of one test. */
    private static final Pattern PROCESS_WIDE_THREADS = Pattern.compile(String.join("|",
            "main", "Reference Handler", "Finalizer", "Signal Dispatcher", "Common-Cleaner", "Notification Thread",
            "Attach Listener", "process reaper.*", "JNA Cleaner", "ForkJoinPool\\.commonPool-worker-.*",
            "surefire-forkedjvm-.*", "HttpClient-\\d+-SelectorManager", "Keep-Alive-.*", "idle-timeout-task.*",
            "logback-.*", "Timer-.*", "AsyncFileHandlerWriter.*", "ORT.*", "leak-check-.*",
            "grizzly-default-workers-.*", "tyrus-client-.*", "java-sdk-http-connection-reaper", "Exec Default Executor",
            "ForkJoinPool-\\d+-worker-\\d+", "prometheus-metrics-scheduler-.*",
            // BouncyCastle (brought by jnats and the SRTP stack) starts these once per process when it first draws entropy
            "BC Disposal Daemon", "BC Cleanup Executor", "BC Entropy Daemon",
            "CompletableFutureDelayScheduler", "UrlChecker-\\d+",
            // java.lang.ref.Cleaner threads of static Cleaners (jitsi-srtp's OpenSSL provider keeps one per process)
            "Cleaner-\\d+"));
    private static final long THREAD_GRACE_MILLIS = 5_000;

    private static final Map<String, IntSupplier> TRACKED = new ConcurrentHashMap<>();
    private static final List<Throwable> BACKGROUND_FAILURES = new CopyOnWriteArrayList<>();
    private static volatile boolean handlerInstalled;

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LeakCheckExtension.class);

    /** Registers a count of open resources that must be back to its earlier value after each test. */
    public static void track(String what, IntSupplier openCount) {
        TRACKED.put(what, openCount);
    }

    /** Records a failure seen on a background thread that was caught and would otherwise only be logged. */
    public static void reportBackgroundFailure(Throwable t) {
        BACKGROUND_FAILURES.add(t);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        installHandler();
        context.getStore(NS).put("threads", liveThreads());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        @SuppressWarnings("unchecked")
        Set<Thread> before = (Set<Thread>) context.getStore(NS).get("threads");
        if (before == null) return;
        long deadline = System.currentTimeMillis() + THREAD_GRACE_MILLIS;
        List<Thread> leaked;
        do {
            leaked = new ArrayList<>();
            for (Thread t : liveThreads()) {
                if (!before.contains(t) && t.isAlive() && !PROCESS_WIDE_THREADS.matcher(t.getName()).matches()) leaked.add(t);
            }
            if (leaked.isEmpty()) return;
            sleepQuietly(50);
        } while (System.currentTimeMillis() < deadline);
        throw new AssertionError("threads still running after " + context.getDisplayName() + ": "
                + leaked.stream().map(Thread::getName).collect(Collectors.joining(", ")));
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        BACKGROUND_FAILURES.clear();
        Map<String, Integer> counts = new ConcurrentHashMap<>();
        TRACKED.forEach((k, v) -> counts.put(k, v.getAsInt()));
        context.getStore(NS).put("counts", counts);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        @SuppressWarnings("unchecked")
        Map<String, Integer> before = (Map<String, Integer>) context.getStore(NS).get("counts");
        List<String> problems = new ArrayList<>();
        long deadline = System.currentTimeMillis() + THREAD_GRACE_MILLIS;
        for (Map.Entry<String, IntSupplier> e : TRACKED.entrySet()) {
            int was = before == null ? 0 : before.getOrDefault(e.getKey(), 0);
            int now = e.getValue().getAsInt();
            while (now > was && System.currentTimeMillis() < deadline) {
                sleepQuietly(20);
                now = e.getValue().getAsInt();
            }
            if (now > was) problems.add(e.getKey() + " open: " + was + " before the test, " + now + " after");
        }
        if (!BACKGROUND_FAILURES.isEmpty()) {
            AssertionError err = new AssertionError("a background thread threw during the test: " + BACKGROUND_FAILURES.get(0));
            BACKGROUND_FAILURES.forEach(err::addSuppressed);
            BACKGROUND_FAILURES.clear();
            throw err;
        }
        if (!problems.isEmpty()) throw new AssertionError("leaked resources: " + String.join("; ", problems));
    }

    private static synchronized void installHandler() {
        if (handlerInstalled) return;
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, error) -> {
            BACKGROUND_FAILURES.add(new AssertionError("uncaught in thread " + thread.getName(), error));
            if (previous != null) previous.uncaughtException(thread, error);
        });
        handlerInstalled = true;
    }

    private static Set<Thread> liveThreads() {
        return new HashSet<>(Thread.getAllStackTraces().keySet());
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
