/**
 * RTP over UDP (RFC 3550) into participant audio: {@link org.streamasr.media.rtp.RtpEndpoints} (one network thread,
 * port allocation), {@link org.streamasr.media.rtp.RtpEndpoint} (one port of one call),
 * {@link org.streamasr.media.rtp.RtpStream} (one participant's pipeline: jitter buffer, decode, resample, frames),
 * {@link org.streamasr.media.rtp.AriExternalMedia} (Asterisk externalMedia formats).
 */
package org.streamasr.media.rtp;
