package org.streamasr.media.sip;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.sip.sdp.StreamOffer;
import org.streamasr.media.sip.siprec.RecordingMetadata;

/**
 * Who is heard on each received stream. A plain call carries the caller's voice: the From identity (display name,
 * else the URI's user, for captions; the URI as the id). A SIPREC session carries each recorded party on its own
 * labelled stream: the participant the metadata says sends it (name, else address of record).
 */
final class ParticipantNaming {
    private ParticipantNaming() {
    }

    /** The caller of a plain call, from its From header. */
    static ParticipantSpec caller(Address from, String language) {
        String uri = uriText(from.getURI());
        String display = from.getDisplayName();
        if (display == null || display.isBlank()) display = userOf(from.getURI());
        return new ParticipantSpec(uri, display == null || display.isBlank() ? uri : display, language);
    }

    /**
     * One participant per accepted stream index, ids unique within the call.
     *
     * @param caller the plain call's caller, or {@code null} for a SIPREC session
     */
    static Map<Integer, ParticipantSpec> forStreams(List<StreamOffer> streams, ParticipantSpec caller,
                                                    RecordingMetadata metadata, String language) {
        Map<Integer, ParticipantSpec> out = new LinkedHashMap<>();
        Set<String> used = new HashSet<>();
        int n = 0;
        for (StreamOffer s : streams) {
            ParticipantSpec spec;
            if (caller != null) {
                spec = n == 0 ? caller : new ParticipantSpec(caller.participantId() + "#" + (n + 1), caller.displayName() + " (" + (n + 1) + ")", language);
            } else {
                RecordingMetadata.Participant p = metadata.senderOfLabel(s.label());
                String tag = s.label() != null ? s.label() : String.valueOf(s.index());
                if (p == null) {
                    spec = new ParticipantSpec("stream-" + tag, "stream " + tag, language);
                } else {
                    spec = new ParticipantSpec(p.aor() != null ? p.aor() : p.id(), p.displayName(), language);
                }
                if (used.contains(spec.participantId())) {
                    spec = new ParticipantSpec(spec.participantId() + "#" + tag, spec.displayName(), language);
                }
            }
            used.add(spec.participantId());
            out.put(s.index(), spec);
            n++;
        }
        return out;
    }

    static String uriText(URI uri) {
        if (uri instanceof SipURI sip) {
            return (sip.isSecure() ? "sips:" : "sip:") + (sip.getUser() != null ? sip.getUser() + "@" : "") + sip.getHost()
                    + (sip.getPort() > 0 ? ":" + sip.getPort() : "");
        }
        return uri.toString();
    }

    static String userOf(URI uri) {
        return uri instanceof SipURI sip ? sip.getUser() : null;
    }
}
