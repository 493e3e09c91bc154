/**
 * The public face of the media adapters: what an adapter hands to the plugin ({@link org.streamasr.media.CallSink},
 * {@link org.streamasr.media.PcmFrame}) and what it gets back ({@link org.streamasr.media.TranscriptEvent}).
 * Everything in sub-packages is adapter-internal unless documented otherwise.
 */
package org.streamasr.media;
