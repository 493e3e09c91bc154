/**
 * Telephony audio forks: FreeSWITCH mod_audio_fork and jambonz {@code listen}
 * ({@link org.streamasr.media.fork.AudioForkEndpoints}: a metadata text frame, then binary L16), Twilio Media Streams
 * ({@link org.streamasr.media.fork.TwilioEndpoints}: JSON with base64 mu-law), and Asterisk AudioSocket
 * ({@link org.streamasr.media.fork.AudioSocketServer}: a TCP type-length-value stream on one selector thread).
 */
package org.streamasr.media.fork;
