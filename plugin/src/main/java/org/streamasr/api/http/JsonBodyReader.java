package org.streamasr.api.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import org.streamasr.api.fetch.FetchException;

/**
 * Parses a JSON request body under the configured limits (Jackson's own, such as its 20 MB string cap, are raised to
 * {@code asr.api.limits.max-request-body}), and takes a large inline audio input out of it as it goes: when the
 * body was spilled to disk and its top-level {@code audio_url} is a {@code data:} URI, the URI is streamed from the
 * file into {@link InlineAudio} and the field is replaced by the URL that store returns. The parser then skips the
 * string without buffering it, so the URI never exists as one String.
 */
final class JsonBodyReader {
    /** Where a streamed data URI goes. */
    interface InlineAudio {
        /** Decodes the data URI read from {@code uri}; returns the URL that now stands for it. */
        String store(Reader uri) throws FetchException, IOException;
    }

    private final ObjectMapper mapper;

    JsonBodyReader(long maxRequestBody) {
        StreamReadConstraints limits = StreamReadConstraints.builder()
                .maxStringLength((int) Math.min(Integer.MAX_VALUE, maxRequestBody))
                .maxDocumentLength(maxRequestBody)
                .build();
        this.mapper = new ObjectMapper(JsonFactory.builder().streamReadConstraints(limits).build());
    }

    /** The body as JSON (null when empty). */
    JsonNode read(SpooledBody body, InlineAudio inline) throws IOException, FetchException {
        if (body.size() == 0) return null;
        try (InputStream in = body.open(0); JsonParser p = mapper.getFactory().createParser(in)) {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_OBJECT || !body.spilled()) return mapper.readTree(p);
            ObjectNode o = mapper.createObjectNode();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                t = p.nextToken();
                long at = p.currentTokenLocation().getByteOffset();
                if (name.equals("audio_url") && t == JsonToken.VALUE_STRING && at >= 0 && isDataUri(body, at)) {
                    try (Reader uri = new JsonStringReader(body.open(at + 1))) {
                        o.put(name, inline.store(uri));
                    }
                } else {
                    o.set(name, mapper.readTree(p));
                }
            }
            return o;
        }
    }

    /** Whether the string token at byte {@code quote} starts with "data:". */
    private static boolean isDataUri(SpooledBody body, long quote) throws IOException {
        try (InputStream in = body.open(quote + 1)) {
            byte[] head = in.readNBytes(5);
            return new String(head, StandardCharsets.US_ASCII).equalsIgnoreCase("data:");
        }
    }
}
