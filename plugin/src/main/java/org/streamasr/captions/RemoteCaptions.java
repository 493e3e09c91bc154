package org.streamasr.captions;

import java.util.function.Function;

/**
 * The captions of calls held by other nodes (cluster mode): subscribes a channel to a call this node does not hold.
 * {@link #NONE} on a node that runs alone.
 */
public interface RemoteCaptions {

    /**
     * Subscribes {@code channel} to the remote call {@code callId}, or refuses it as a local subscription would be
     * refused (the same reason, whether or not the call exists).
     *
     * @param newSubscriber makes the subscriber (with the local limits) given its close listener
     */
    CaptionSubscriber subscribe(String callId, String token, CaptionChannel channel,
                                Function<CaptionSubscriber.CloseListener, CaptionSubscriber> newSubscriber)
            throws SubscriptionRejectedException;

    RemoteCaptions NONE = (callId, token, channel, newSubscriber) -> {
        throw new SubscriptionRejectedException(CaptionHub.REFUSED);
    };
}
