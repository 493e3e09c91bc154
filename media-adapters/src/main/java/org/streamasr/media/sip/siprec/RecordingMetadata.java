package org.streamasr.media.sip.siprec;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What a SIPREC recording session's metadata (RFC 7865) says about who is heard on which stream: participants
 * (name and address of record), streams (tied to SDP m= sections by label), and which participant sends on which
 * stream. Immutable; an update yields a new instance through {@link #apply(RecordingMetadata)}.
 */
public record RecordingMetadata(boolean complete, Map<String, Participant> participants, Map<String, Stream> streams,
                                Map<String, Association> associations, Set<String> departed) {

    public static final RecordingMetadata EMPTY = new RecordingMetadata(true, Map.of(), Map.of(), Map.of(), Set.of());

    /** A participant of the recorded call: {@code aor} is its SIP/tel URI, {@code name} its display name; either may be null. */
    public record Participant(String id, String aor, String name) {
        /** The best label for captions: the display name, else the address of record, else the metadata id. */
        public String displayName() {
            if (name != null && !name.isBlank()) return name;
            if (aor != null && !aor.isBlank()) return aor;
            return id;
        }
    }

    /** A recorded media stream; {@code label} matches an {@code a=label} of the SDP. */
    public record Stream(String id, String label) {
    }

    /** The streams a participant sends and receives. */
    public record Association(String participantId, Set<String> send, Set<String> recv) {
    }

    public RecordingMetadata {
        participants = Map.copyOf(participants);
        streams = Map.copyOf(streams);
        associations = Map.copyOf(associations);
        departed = Set.copyOf(departed);
    }

    /**
     * The metadata after an update: a complete snapshot replaces everything; a partial update (RFC 7865 section 6.1,
     * datamode "partial") changes or adds the participants, streams and associations it names and drops the
     * associations of participants that left.
     */
    public RecordingMetadata apply(RecordingMetadata update) {
        if (update.complete) return update;
        Map<String, Participant> p = new LinkedHashMap<>(participants);
        p.putAll(update.participants);
        Map<String, Stream> s = new LinkedHashMap<>(streams);
        s.putAll(update.streams);
        Map<String, Association> a = new LinkedHashMap<>(associations);
        a.putAll(update.associations);
        for (String gone : update.departed) a.remove(gone);
        return new RecordingMetadata(true, p, s, a, Set.of());
    }

    /** The participant heard on the stream with this SDP label, or {@code null} when the metadata does not say. */
    public Participant senderOfLabel(String label) {
        if (label == null) return null;
        for (Stream st : streams.values()) {
            if (!label.equals(st.label())) continue;
            for (Association as : associations.values()) {
                if (as.send().contains(st.id())) {
                    Participant who = participants.get(as.participantId());
                    return who != null ? who : new Participant(as.participantId(), null, null);
                }
            }
        }
        return null;
    }
}
