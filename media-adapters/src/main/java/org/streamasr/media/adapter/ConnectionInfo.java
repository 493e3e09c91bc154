package org.streamasr.media.adapter;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the upgrade request said: the path, its template parameters, the query, the headers and the negotiated
 * subprotocol. Header names are matched case-insensitively.
 */
public record ConnectionInfo(String path, Map<String, String> pathParameters, Map<String, List<String>> query,
                             Map<String, List<String>> headers, String subprotocol) {

    public ConnectionInfo {
        pathParameters = pathParameters == null ? Map.of() : Map.copyOf(pathParameters);
        query = query == null ? Map.of() : Map.copyOf(query);
        TreeMap<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (headers != null) headers.forEach((k, v) -> h.put(k, v == null ? List.of() : List.copyOf(v)));
        headers = java.util.Collections.unmodifiableMap(h);
        subprotocol = subprotocol == null ? "" : subprotocol;
    }

    /** A connection with only a path and a query, for tests and socket-free drivers. */
    public static ConnectionInfo of(String path, Map<String, String> pathParameters, Map<String, String> query) {
        Map<String, List<String>> q = new TreeMap<>();
        if (query != null) query.forEach((k, v) -> q.put(k, List.of(v)));
        return new ConnectionInfo(path, pathParameters, q, Map.of(), "");
    }

    public ConnectionInfo withHeader(String name, String value) {
        Map<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        h.putAll(headers);
        h.put(name, List.of(value));
        return new ConnectionInfo(path, pathParameters, query, h, subprotocol);
    }

    public ConnectionInfo withSubprotocol(String negotiated) {
        return new ConnectionInfo(path, pathParameters, query, headers, negotiated);
    }

    /** The first value of a query parameter, or {@code null}; blank values count as absent. */
    public String queryParameter(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() || v.get(0) == null || v.get(0).isBlank() ? null : v.get(0);
    }

    /** The first query parameter among {@code names} that is present, or {@code null}. */
    public String firstQueryParameter(String... names) {
        for (String n : names) {
            String v = queryParameter(n);
            if (v != null) return v;
        }
        return null;
    }

    public String pathParameter(String name) {
        String v = pathParameters.get(name);
        return v == null || v.isBlank() ? null : v;
    }

    public String header(String name) {
        List<String> v = headers.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** A boolean query flag: "true", "1", "yes" (any case) are true; absent gives {@code fallback}. */
    public boolean flag(String name, boolean fallback) {
        String v = queryParameter(name);
        if (v == null) return fallback;
        String s = v.toLowerCase(Locale.ROOT);
        return s.equals("true") || s.equals("1") || s.equals("yes");
    }
}
