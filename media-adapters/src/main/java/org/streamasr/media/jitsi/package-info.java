/**
 * The server side of the Jitsi Videobridge MEDIAJSON WebSocket (colibri2 Connect, "remote" transcription): the bridge
 * sends {@code start}/{@code media} events with Opus RTP payloads per source tag, and we answer on the same socket
 * with Jitsi Meet's {@code transcription-result} JSON. Entry point: {@link org.streamasr.media.jitsi.MediaJsonEndpoints}.
 */
package org.streamasr.media.jitsi;
