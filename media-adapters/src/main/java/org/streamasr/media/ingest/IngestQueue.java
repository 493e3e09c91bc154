package org.streamasr.media.ingest;

import java.util.ArrayDeque;
import java.util.Iterator;
import org.streamasr.runtime.DropCounter;

/**
 * The hand-off from a network thread to a participant's worker: bounded in milliseconds of media, with an item-count
 * backstop. When full, the oldest media is dropped and counted ({@code queue-overflow}): for live captions fresh
 * audio is worth more than stale. Control items (end of talk, format change) are never dropped. {@link #offer}
 * never blocks.
 */
final class IngestQueue {
    private final ArrayDeque<IngestItem> queue = new ArrayDeque<>();
    private final long maxMillis;
    private final int maxItems;
    private final DropCounter drops;
    private long millis;

    IngestQueue(long maxMillis, DropCounter drops) {
        this.maxMillis = maxMillis;
        this.maxItems = (int) Math.max(16, maxMillis / 5);
        this.drops = drops;
    }

    synchronized void offer(IngestItem item) {
        queue.addLast(item);
        millis += item.millis();
        while ((millis > maxMillis || queue.size() > maxItems) && dropOldestMedia()) {
            // dropped one; check again
        }
    }

    private boolean dropOldestMedia() {
        for (Iterator<IngestItem> it = queue.iterator(); it.hasNext(); ) {
            IngestItem old = it.next();
            if (old instanceof IngestItem.Packet || old instanceof IngestItem.Pcm) {
                it.remove();
                millis -= old.millis();
                drops.drop("queue-overflow", "participant worker behind; dropped " + old.millis() + " ms of media");
                return true;
            }
        }
        return false;
    }

    synchronized IngestItem poll() {
        IngestItem item = queue.pollFirst();
        if (item != null) millis -= item.millis();
        return item;
    }

    synchronized int size() {
        return queue.size();
    }
}
