package dev.concord.contract.serde;

import java.util.HexFormat;
import java.util.OptionalLong;

/** Reads the header of the Avro single-object encoding: {@code C3 01} + little-endian CRC-64-AVRO fingerprint. */
public final class SingleObjectHeader {

    public static final int LENGTH = 10;
    private static final byte MARKER_0 = (byte) 0xC3;
    private static final byte MARKER_1 = (byte) 0x01;

    private SingleObjectHeader() {
    }

    /** The writer schema fingerprint, or empty when the bytes are not single-object encoded. */
    public static OptionalLong fingerprint(byte[] bytes) {
        if (bytes == null || bytes.length < LENGTH || bytes[0] != MARKER_0 || bytes[1] != MARKER_1) {
            return OptionalLong.empty();
        }
        long fingerprint = 0;
        for (int i = 9; i >= 2; i--) {
            fingerprint = (fingerprint << 8) | (bytes[i] & 0xFFL);
        }
        return OptionalLong.of(fingerprint);
    }

    static String fingerprintHex(byte[] bytes) {
        OptionalLong fingerprint = fingerprint(bytes);
        return fingerprint.isPresent() ? toHex(fingerprint.getAsLong()) : "(no single-object header)";
    }

    public static String toHex(long fingerprint) {
        return HexFormat.of().toHexDigits(fingerprint);
    }
}
