package org.streamasr.api;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.net.URI;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code asr.api} section of the config (config/reference.conf documents every key and default). Built and
 * validated once at start-up by {@link #from(Config, String)}; a bad value fails naming its key. Environment variables
 * (ASR_API_KEYS, ASR_WEBHOOK_SECRET) reach it through the config, as the server's ConfigLoader maps them.
 */
public record ApiConfig(
        boolean enabled,
        Set<String> keys,
        boolean open,
        URI publicBaseUrl,
        boolean trustForwardedHeaders,
        int workers,
        int maxQueued,
        int storeCallThreads,
        int storeCallQueue,
        Duration syncTimeout,
        Duration jobTimeout,
        Duration gracePeriod,
        Duration resultRetention,
        Path storeDir,
        String ffmpeg,
        Limits limits,
        Fetch fetch,
        Uploads uploads,
        Webhooks webhooks,
        Streaming streaming) {

    /** @param bodyBudget bytes of JSON request bodies read and parsed at once, all requests together */
    public record Limits(long maxRequestBody, long maxAudioBytes, Duration maxAudioDuration, Duration decodeTimeout,
                         long bodyBudget) {
    }

    public record Fetch(Duration connectTimeout, Duration timeout, int maxRedirects, boolean allowPrivateAddresses) {
    }

    public record Uploads(Duration ttl, Duration uploadUrlTtl) {
    }

    /** @param secret null: generated and kept in the store directory */
    public record Webhooks(String secret, int attempts, Duration initialBackoff, Duration maxBackoff, Duration timeout,
                           int senders) {
    }

    public record Streaming(Duration heartbeat, Duration stalledClientTimeout) {
    }

    public ApiConfig {
        keys = Set.copyOf(keys);
    }

    /** True when requests need no key: no key is configured and {@code asr.api.open} is set. */
    public boolean openWithoutKeys() {
        return open && keys.isEmpty();
    }

    /**
     * Reads the {@code asr.api} section.
     *
     * @param root    the whole config (with reference.conf as fallback)
     * @param asrHome where a relative {@code store-dir} is resolved (bin/asr's ASR_HOME); null: the working directory
     * @throws IllegalArgumentException naming the key of a bad value
     */
    public static ApiConfig from(Config root, String asrHome) {
        Config c = root.getConfig("asr.api");
        try {
            Set<String> keys = new LinkedHashSet<>();
            for (String k : c.getStringList("keys")) addKey(keys, k);

            Config limits = c.getConfig("limits");
            Config fetch = c.getConfig("fetch");
            Config uploads = c.getConfig("uploads");
            Config hooks = c.getConfig("webhooks");
            Config streaming = c.getConfig("streaming");
            String secret = c.getIsNull("webhooks.secret") ? null : hooks.getString("secret");
            if (secret != null && secret.isBlank()) secret = null;

            ApiConfig cfg = new ApiConfig(
                    c.getBoolean("enabled"),
                    keys,
                    c.getBoolean("open"),
                    baseUrl(c),
                    c.getBoolean("trust-forwarded-headers"),
                    positive(c, "workers"),
                    positive(c, "max-queued"),
                    intIn(c, "store-call-threads", 1, 256),
                    intIn(c, "store-call-queue", 1, 10_000),
                    positiveDuration(c, "sync-timeout"),
                    positiveDuration(c, "job-timeout"),
                    nonNegativeDuration(c, "grace-period"),
                    positiveDuration(c, "result-retention"),
                    storeDir(c.getString("store-dir"), asrHome),
                    nonBlank(c, "ffmpeg"),
                    new Limits(positiveBytes(c, "limits.max-request-body"), positiveBytes(c, "limits.max-audio-bytes"),
                            positiveDuration(c, "limits.max-audio-duration"),
                            positiveDuration(c, "limits.decode-timeout"), bodyBudget(c)),
                    new Fetch(positiveDuration(c, "fetch.connect-timeout"), positiveDuration(c, "fetch.timeout"),
                            nonNegative(c, "fetch.max-redirects"), fetch.getBoolean("allow-private-addresses")),
                    new Uploads(positiveDuration(c, "uploads.ttl"), positiveDuration(c, "uploads.upload-url-ttl")),
                    new Webhooks(secret, positive(c, "webhooks.attempts"), positiveDuration(c, "webhooks.initial-backoff"),
                            positiveDuration(c, "webhooks.max-backoff"), positiveDuration(c, "webhooks.timeout"),
                            positive(c, "webhooks.senders")),
                    new Streaming(positiveDuration(c, "streaming.heartbeat"),
                            positiveDuration(c, "streaming.stalled-client-timeout")));
            if (limits.getBytes("max-audio-bytes") > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("asr.api.limits.max-audio-bytes: at most 2 GiB");
            }
            if (cfg.webhooks.maxBackoff.compareTo(cfg.webhooks.initialBackoff) < 0) {
                throw new IllegalArgumentException("asr.api.webhooks.max-backoff: must not be below initial-backoff");
            }
            if (streaming.getDuration("heartbeat").compareTo(Duration.ofSeconds(15)) >= 0) {
                throw new IllegalArgumentException("asr.api.streaming.heartbeat: must be under 15 s (the fal client's "
                        + "event timeout)");
            }
            if (uploads.getDuration("ttl").isZero()) throw new IllegalArgumentException("asr.api.uploads.ttl: must be > 0");
            return cfg;
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** {@code limits.body-budget}: null is a quarter of the heap; never below one request body of the largest size. */
    private static long bodyBudget(Config c) {
        long maxBody = c.getBytes("limits.max-request-body");
        if (c.getIsNull("limits.body-budget")) return Math.max(Runtime.getRuntime().maxMemory() / 4, maxBody);
        long v = c.getBytes("limits.body-budget");
        if (v < maxBody) {
            throw new IllegalArgumentException("asr.api.limits.body-budget: must be at least max-request-body (" + maxBody
                    + " bytes), got " + v);
        }
        return v;
    }

    private static void addKey(Set<String> keys, String k) {
        String t = k.trim();
        if (!t.isEmpty()) keys.add(t);
    }

    private static URI baseUrl(Config c) {
        if (c.getIsNull("public-base-url")) return null;
        String s = c.getString("public-base-url").trim();
        if (s.isEmpty()) return null;
        try {
            URI u = new URI(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || u.getHost() == null || u.getQuery() != null) {
                throw new IllegalArgumentException("asr.api.public-base-url: expected http(s)://host[:port][/path], got '"
                        + s + "'");
            }
            return u;
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("asr.api.public-base-url: not a URL: '" + s + "'", e);
        }
    }

    static Path storeDir(String value, String asrHome) {
        if (value == null || value.isBlank()) throw new IllegalArgumentException("asr.api.store-dir: must be set");
        Path p = Paths.get(value);
        if (p.isAbsolute()) return p.normalize();
        Path base = asrHome == null || asrHome.isBlank() ? Paths.get("").toAbsolutePath() : Paths.get(asrHome);
        return base.resolve(p).toAbsolutePath().normalize();
    }

    private static int positive(Config c, String key) {
        int v = c.getInt(key);
        if (v <= 0) throw new IllegalArgumentException("asr.api." + key + ": must be > 0, got " + v);
        return v;
    }

    private static int intIn(Config c, String key, int min, int max) {
        int v = c.getInt(key);
        if (v < min || v > max) {
            throw new IllegalArgumentException("asr.api." + key + ": must be between " + min + " and " + max + ", got " + v);
        }
        return v;
    }

    private static int nonNegative(Config c, String key) {
        int v = c.getInt(key);
        if (v < 0) throw new IllegalArgumentException("asr.api." + key + ": must be >= 0, got " + v);
        return v;
    }

    private static long positiveBytes(Config c, String key) {
        long v = c.getBytes(key);
        if (v <= 0) throw new IllegalArgumentException("asr.api." + key + ": must be > 0, got " + v);
        return v;
    }

    private static Duration positiveDuration(Config c, String key) {
        Duration d = c.getDuration(key);
        if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("asr.api." + key + ": must be > 0, got " + d);
        return d;
    }

    private static Duration nonNegativeDuration(Config c, String key) {
        Duration d = c.getDuration(key);
        if (d.isNegative()) throw new IllegalArgumentException("asr.api." + key + ": must be >= 0, got " + d);
        return d;
    }

    private static String nonBlank(Config c, String key) {
        String s = c.getString(key);
        if (s.isBlank()) throw new IllegalArgumentException("asr.api." + key + ": must not be empty");
        return s;
    }
}
