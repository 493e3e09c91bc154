package org.streamasr.media.sip.sdp;

/** One {@code a=} line: {@code a=name} (a flag, {@code value} null) or {@code a=name:value}. */
public record SdpAttribute(String name, String value) {
    public SdpAttribute {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("attribute name must be given");
    }

    public static SdpAttribute flag(String name) {
        return new SdpAttribute(name, null);
    }

    String toLine() {
        return value == null ? "a=" + name : "a=" + name + ":" + value;
    }
}
