package org.streamasr.media.adapter;

import java.util.ArrayList;
import java.util.List;

/** An {@link OutboundChannel} for socket-free session tests: records what would be sent and how it closed. */
public final class RecordingOutbound implements OutboundChannel {
    public record Sent(String text, Priority priority, String key) {
    }

    private final List<Sent> sent = new ArrayList<>();
    private boolean open = true;
    private Integer closeCode;
    private String closeReason;
    private boolean flushed;

    @Override
    public synchronized boolean sendText(String text, Priority priority, String coalesceKey) {
        if (!open) return false;
        sent.add(new Sent(text, priority, coalesceKey));
        return true;
    }

    @Override
    public synchronized void closeAfterFlush(int code, String reason) {
        if (!open) return;
        open = false;
        flushed = true;
        closeCode = code;
        closeReason = reason;
    }

    @Override
    public synchronized void closeNow(int code, String reason) {
        if (!open) return;
        open = false;
        closeCode = code;
        closeReason = reason;
    }

    @Override
    public synchronized boolean isOpen() {
        return open;
    }

    public synchronized List<Sent> sent() {
        return new ArrayList<>(sent);
    }

    public synchronized List<String> texts() {
        return sent.stream().map(Sent::text).toList();
    }

    public synchronized Integer closeCode() {
        return closeCode;
    }

    public synchronized String closeReason() {
        return closeReason;
    }

    public synchronized boolean closedAfterFlush() {
        return flushed;
    }
}
