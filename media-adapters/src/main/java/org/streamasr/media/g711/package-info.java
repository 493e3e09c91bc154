/** ITU-T G.711 µ-law (PCMU) and A-law (PCMA). */
package org.streamasr.media.g711;
