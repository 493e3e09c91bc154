package org.streamasr.media.sip;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import javax.sip.header.ContentTypeHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.streamasr.media.sip.sdp.SdpParseException;
import org.streamasr.media.sip.sdp.SdpParser;
import org.streamasr.media.sip.sdp.SessionDescription;
import org.streamasr.media.sip.siprec.MalformedBodyException;
import org.streamasr.media.sip.siprec.MultipartMixed;
import org.streamasr.media.sip.siprec.RecordingMetadata;
import org.streamasr.media.sip.siprec.RecordingMetadataParser;

/**
 * The body of an INVITE, re-INVITE or UPDATE as the gateway reads it: an SDP offer, SIPREC recording metadata, or
 * both in a multipart/mixed body (RFC 7866 section 9). Every way a body can be wrong becomes a {@link SipRejection}
 * with the status RFC 3261 gives it.
 *
 * @param sdp      the offer, or {@code null} when the body carries none
 * @param metadata the recording metadata, or {@code null}
 */
record OfferBody(SessionDescription sdp, RecordingMetadata metadata) {
    static final String SDP = "application/sdp";
    static final String MULTIPART = "multipart/mixed";
    static final String METADATA = "application/rs-metadata+xml";
    static final String ACCEPT = SDP + ", " + MULTIPART + ", " + METADATA;

    static final OfferBody EMPTY = new OfferBody(null, null);

    static OfferBody read(Request request, int maxBodyBytes) throws SipRejection {
        byte[] body = request.getRawContent();
        if (body == null || body.length == 0) return EMPTY;
        if (body.length > maxBodyBytes) {
            throw new SipRejection(Response.REQUEST_ENTITY_TOO_LARGE, "Body larger than " + maxBodyBytes + " bytes");
        }
        if (request.getHeader("Content-Encoding") != null) {
            String enc = request.getHeader("Content-Encoding").toString();
            if (!enc.substring(enc.indexOf(':') + 1).trim().equalsIgnoreCase("identity")) {
                throw new SipRejection(Response.UNSUPPORTED_MEDIA_TYPE, "Content-Encoding not supported")
                        .header("Accept-Encoding", "identity").header("Accept", ACCEPT);
            }
        }
        ContentTypeHeader ct = (ContentTypeHeader) request.getHeader(ContentTypeHeader.NAME);
        String type = ct == null ? "" : (ct.getContentType() + "/" + ct.getContentSubType()).toLowerCase(Locale.ROOT);
        String text = new String(body, StandardCharsets.UTF_8);
        try {
            return switch (type) {
                case SDP -> new OfferBody(sdp(text), null);
                case METADATA -> new OfferBody(null, RecordingMetadataParser.parse(text));
                case MULTIPART -> multipart(body, ct);
                default -> throw new SipRejection(Response.UNSUPPORTED_MEDIA_TYPE,
                        type.isEmpty() ? "Body without Content-Type" : "Unsupported body type " + type).header("Accept", ACCEPT);
            };
        } catch (MalformedBodyException e) {
            throw new SipRejection(Response.BAD_REQUEST, "Malformed body: " + e.getMessage());
        }
    }

    private static OfferBody multipart(byte[] body, ContentTypeHeader ct) throws SipRejection, MalformedBodyException {
        String boundary = ct.getParameter("boundary");
        if (boundary != null && boundary.length() >= 2 && boundary.startsWith("\"") && boundary.endsWith("\"")) {
            boundary = boundary.substring(1, boundary.length() - 1);
        }
        List<MultipartMixed.Part> parts = MultipartMixed.parse(body, boundary == null || boundary.isEmpty() ? null : boundary);
        SessionDescription sdp = null;
        RecordingMetadata metadata = null;
        for (MultipartMixed.Part part : parts) {
            switch (part.contentType()) {
                case SDP -> {
                    if (sdp != null) throw new MalformedBodyException("more than one SDP part");
                    sdp = sdp(part.content());
                }
                case METADATA -> {
                    if (metadata != null) throw new MalformedBodyException("more than one metadata part");
                    metadata = RecordingMetadataParser.parse(part.content());
                }
                default -> {
                    // RFC 3261 section 8.2.3 applies per part only for required ones; optional extra parts are ignored
                    String disposition = part.headers().getOrDefault("content-disposition", "");
                    if (disposition.toLowerCase(Locale.ROOT).contains("handling=required")) {
                        throw new SipRejection(Response.UNSUPPORTED_MEDIA_TYPE, "Unsupported required body part " + part.contentType())
                                .header("Accept", ACCEPT);
                    }
                }
            }
        }
        return new OfferBody(sdp, metadata);
    }

    private static SessionDescription sdp(String text) throws SipRejection {
        try {
            return SdpParser.parse(text);
        } catch (SdpParseException e) {
            throw new SipRejection(Response.BAD_REQUEST, "Malformed SDP: " + e.getMessage());
        }
    }
}
