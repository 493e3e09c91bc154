package org.streamasr.media.sip.siprec;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Reads {@code application/rs-metadata+xml} (RFC 7865, namespace {@code urn:ietf:params:xml:ns:recording:1}).
 * Elements are matched by local name so that the RFC form ({@code participant_id}, {@code nameID aor},
 * {@code participantstreamassoc}) and the pre-RFC draft form that deployed SBCs still send ({@code id},
 * {@code <aor>}, {@code <send>} inside {@code <participant>}) both read. DOCTYPEs are refused (no entity expansion).
 */
public final class RecordingMetadataParser {
    static final int MAX_ELEMENTS = 64;

    private RecordingMetadataParser() {
    }

    public static RecordingMetadata parse(String xml) throws MalformedBodyException {
        Element root = document(xml).getDocumentElement();
        if (!"recording".equals(localName(root))) throw new MalformedBodyException("metadata root element is not <recording>");
        boolean complete = !"partial".equalsIgnoreCase(text(child(root, "datamode")));
        Map<String, RecordingMetadata.Participant> participants = new LinkedHashMap<>();
        Map<String, RecordingMetadata.Stream> streams = new LinkedHashMap<>();
        Map<String, RecordingMetadata.Association> associations = new LinkedHashMap<>();
        Set<String> departed = new LinkedHashSet<>();
        int count = 0;
        for (Element e : children(root)) {
            if (++count > 4 * MAX_ELEMENTS) throw new MalformedBodyException("metadata has too many elements");
            switch (localName(e)) {
                case "participant" -> {
                    String id = id(e, "participant_id");
                    Element nameId = child(e, "nameID");
                    String aor = nameId != null ? attr(nameId, "aor") : text(child(e, "aor"));
                    String name = text(child(nameId != null ? nameId : e, "name"));
                    participants.put(id, new RecordingMetadata.Participant(id, aor, name));
                    List<String> send = texts(e, "send");
                    List<String> recv = texts(e, "recv");
                    if (!send.isEmpty() || !recv.isEmpty()) associations.put(id, new RecordingMetadata.Association(id, Set.copyOf(send), Set.copyOf(recv)));
                }
                case "stream" -> {
                    String id = id(e, "stream_id");
                    streams.put(id, new RecordingMetadata.Stream(id, text(child(e, "label"))));
                }
                case "participantstreamassoc" -> {
                    String id = id(e, "participant_id");
                    associations.put(id, new RecordingMetadata.Association(id, Set.copyOf(texts(e, "send")), Set.copyOf(texts(e, "recv"))));
                }
                case "participantsessionassoc" -> {
                    if (child(e, "disassociate-time") != null) departed.add(id(e, "participant_id"));
                }
                default -> {
                    // datamode, group, session, sessionrecordingassoc, extensions: nothing captions need
                }
            }
            if (participants.size() > MAX_ELEMENTS || streams.size() > MAX_ELEMENTS) {
                throw new MalformedBodyException("metadata names more than " + MAX_ELEMENTS + " participants or streams");
            }
        }
        return new RecordingMetadata(complete, participants, streams, associations, departed);
    }

    private static Document document(String xml) throws MalformedBodyException {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(new DefaultHandler()); // no printing to stderr; errors surface as exceptions
            return b.parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        } catch (SAXException | IOException e) {
            throw new MalformedBodyException("malformed recording metadata XML: " + e.getMessage());
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's XML parser lacks a secure-processing feature", e);
        }
    }

    private static String id(Element e, String rfcName) throws MalformedBodyException {
        String id = attr(e, rfcName);
        if (id == null) id = attr(e, "id");
        if (id == null || id.isBlank()) throw new MalformedBodyException("<" + localName(e) + "> without " + rfcName);
        return id.trim();
    }

    private static String attr(Element e, String name) {
        String v = e.getAttribute(name);
        return v.isEmpty() ? null : v;
    }

    private static String localName(Node n) {
        return n.getLocalName() != null ? n.getLocalName() : n.getNodeName();
    }

    private static List<Element> children(Element e) {
        List<Element> out = new ArrayList<>();
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) if (n instanceof Element el) out.add(el);
        return out;
    }

    private static Element child(Element e, String name) {
        if (e == null) return null;
        for (Element c : children(e)) if (name.equals(localName(c))) return c;
        return null;
    }

    private static List<String> texts(Element e, String name) {
        List<String> out = new ArrayList<>();
        for (Element c : children(e)) if (name.equals(localName(c)) && !c.getTextContent().isBlank()) out.add(c.getTextContent().trim());
        return out;
    }

    private static String text(Element e) {
        if (e == null) return null;
        String t = e.getTextContent().trim();
        return t.isEmpty() ? null : t;
    }
}
