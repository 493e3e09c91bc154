/** ITU-T G.722 64 kbit/s decoder in pure Java (RTP clock 8 kHz, audio 16 kHz). */
package org.streamasr.media.g722;
