/** Opus via native libopus (opus-java): decode straight to 16 kHz mono, PLC, in-band FEC, packet framing. */
package org.streamasr.media.opus;
