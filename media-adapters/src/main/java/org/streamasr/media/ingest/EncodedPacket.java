package org.streamasr.media.ingest;

import org.streamasr.media.AudioLevel;

/**
 * One packet of coded audio as a protocol parser hands it to the {@link DecodeStage}: where its payload is, which
 * format it is in, and where it belongs in the stream (sequence index, timestamp). RTP's jitter buffer releases them
 * in playout order; the TCP protocols (MEDIAJSON, Twilio) number them and the stage orders them.
 */
public interface EncodedPacket {

    /** Which of the stream's formats the payload is in (RTP: the payload type; single-format streams: 0). */
    int format();

    byte[] data();

    int offset();

    int length();

    /** The sender's sequence index, unwrapped: increases by one per packet sent. */
    long index();

    /** The media time of its first sample in the format's clock units, unwrapped. */
    long timestamp();

    /** Packets known lost right before this one (RTP's jitter buffer says; TCP protocols: 0, the stage counts). */
    int lostBefore();

    /** The sender restarted: timestamps before and after are unrelated. */
    boolean discontinuity();

    /** When it arrived (receiver clock); bounds how much a gap may be filled where the stage is told to. */
    long arrivalNanos();

    /** The sender's RFC 6464 level, carried on the audio decoded from it; {@link AudioLevel#NONE} when none. */
    AudioLevel level();
}
