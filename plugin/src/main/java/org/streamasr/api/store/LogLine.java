package org.streamasr.api.store;

/** One line of a request's log, in fal's shape ({@code {timestamp, level, source, message}}). */
public record LogLine(String timestamp, String level, String source, String message) {
}
