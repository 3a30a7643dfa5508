package dev.ferrule.cli;

import dev.ferrule.frame.FrameTable;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The text form of a frame stream, one frame per line:
 * {@code method=N correlation=N flags=N payload=HEX}. Numbers are unsigned decimal or {@code 0x} hex;
 * {@code frame=}, {@code offset=} and {@code length=} (printed by decode) are accepted and ignored;
 * blank lines and lines starting with {@code #} are skipped.
 */
final class FrameLines {
    /** A line that cannot be read, with its number. */
    static final class SyntaxException extends Exception {
        private static final long serialVersionUID = 1L;

        SyntaxException(int line, String message) {
            super("line " + line + ": " + message);
        }
    }

    private final FrameTable table;
    private final ByteBuffer payloads;
    private final int[] lineNumbers;

    private FrameLines(FrameTable table, ByteBuffer payloads, int[] lineNumbers) {
        this.table = table;
        this.payloads = payloads;
        this.lineNumbers = lineNumbers;
    }

    FrameTable table() {
        return table;
    }

    ByteBuffer payloads() {
        return payloads;
    }

    /** The input line of table entry {@code index}, or -1. */
    int lineOf(int index) {
        return index >= 0 && index < lineNumbers.length ? lineNumbers[index] : -1;
    }

    static FrameLines parse(BufferedReader reader) throws SyntaxException {
        HexFormat hex = HexFormat.of();
        long[][] headers = new long[16][];
        byte[][] bodies = new byte[16][];
        int[] lines = new int[16];
        int count = 0;
        long total = 0;
        int lineNo = 0;
        try {
            for (String line; (line = reader.readLine()) != null; ) {
                lineNo++;
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                long method = 0;
                long correlation = 0;
                long flags = 0;
                byte[] payload = new byte[0];
                for (String token : trimmed.split("\\s+")) {
                    int eq = token.indexOf('=');
                    if (eq <= 0) {
                        throw new SyntaxException(lineNo, "expected key=value, found '" + token + "'");
                    }
                    String key = token.substring(0, eq);
                    String value = token.substring(eq + 1);
                    switch (key) {
                        case "method" -> method = number(lineNo, key, value, 0xFFFF_FFFFL);
                        case "correlation" -> correlation = number(lineNo, key, value, -1);
                        case "flags" -> flags = number(lineNo, key, value, 0xFF);
                        case "payload" -> payload = bytes(lineNo, hex, value);
                        case "frame", "offset", "length" -> { }
                        default -> throw new SyntaxException(lineNo, "unknown key '" + key
                                + "' (expected method, correlation, flags, payload)");
                    }
                }
                if (count == headers.length) {
                    headers = Arrays.copyOf(headers, count * 2);
                    bodies = Arrays.copyOf(bodies, count * 2);
                    lines = Arrays.copyOf(lines, count * 2);
                }
                headers[count] = new long[] {method, correlation, flags};
                bodies[count] = payload;
                lines[count] = lineNo;
                count++;
                total += payload.length;
                if (total > Integer.MAX_VALUE - 8) {
                    throw new SyntaxException(lineNo, "payloads exceed 2 GiB; split the input");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ByteBuffer payloads = ByteBuffer.allocateDirect((int) Math.max(total, 1));
        FrameTable table = FrameTable.allocate(Math.max(count, 1));
        for (int i = 0; i < count; i++) {
            int offset = payloads.position();
            payloads.put(bodies[i]);
            table.add(headers[i][1], (int) headers[i][0], (int) headers[i][2], offset, bodies[i].length);
        }
        payloads.flip();
        return new FrameLines(table, payloads, Arrays.copyOf(lines, count));
    }

    /** An unsigned number no larger than {@code max} ({@code -1}: any 64-bit value). */
    private static long number(int lineNo, String key, String value, long max) throws SyntaxException {
        try {
            long n = value.startsWith("0x") || value.startsWith("0X")
                    ? Long.parseUnsignedLong(value.substring(2), 16)
                    : Long.parseUnsignedLong(value);
            if (max != -1 && Long.compareUnsigned(n, max) > 0) {
                throw new SyntaxException(lineNo, key + "=" + value + " is larger than " + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new SyntaxException(lineNo, key + "=" + value + " is not an unsigned number");
        }
    }

    private static byte[] bytes(int lineNo, HexFormat hex, String value) throws SyntaxException {
        try {
            return hex.parseHex(value);
        } catch (IllegalArgumentException e) {
            throw new SyntaxException(lineNo, "payload is not hex: " + e.getMessage());
        }
    }
}
