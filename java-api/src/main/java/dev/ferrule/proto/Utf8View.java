package dev.ferrule.proto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A reusable, allocation-free {@link CharSequence} over UTF-8 bytes of a decoded string field.
 *
 * <p>{@link MessageReader#getString(dev.ferrule.schema.FieldInfo, Utf8View)} re-points one view at
 * each string it reads; ASCII text is read in place, other text is decoded once into a char array
 * the view keeps and reuses. Byte access ({@link #byteLength()}, {@link #byteAt(int)},
 * {@link #copyTo(byte[], int)}) never decodes. Valid until the message's arena is reset; not
 * thread-safe. Malformed UTF-8 (possible in proto2 strings, which protobuf does not validate)
 * decodes to U+FFFD per bad sequence, as {@link String} does.
 */
public final class Utf8View implements CharSequence {
    private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);

    // An unattached view is empty rather than a null buffer waiting to be dereferenced.
    private ByteBuffer buffer = NOTHING;
    private int offset;
    private int length;
    private char[] chars = new char[0];
    private int charLength = -1;

    /** Points this view at {@code length} bytes of {@code buffer} from absolute index {@code offset}. */
    Utf8View wrap(ByteBuffer buffer, int offset, int length) {
        // One compare per string read; it keeps a damaged record (or an internal hook given another type's
        // layout) from making a view that allocates or reads past its buffer.
        Objects.checkFromIndexSize(offset, length, buffer.capacity());
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        this.charLength = -1;
        return this;
    }

    /** The string's length in UTF-8 bytes. */
    public int byteLength() {
        return length;
    }

    /** UTF-8 byte {@code index} of the string. */
    public byte byteAt(int index) {
        if (index < 0 || index >= length) {
            throw new IndexOutOfBoundsException("index=" + index + " length=" + length);
        }
        return buffer.get(offset + index);
    }

    /** Copies the UTF-8 bytes into {@code dst} at {@code dstOffset}; returns the byte count. */
    public int copyTo(byte[] dst, int dstOffset) {
        Objects.checkFromIndexSize(dstOffset, length, Objects.requireNonNull(dst, "dst").length);
        buffer.get(offset, dst, dstOffset, length);
        return length;
    }

    /** Whether the bytes equal {@code utf8}, without decoding. */
    public boolean bytesEqual(byte[] utf8) {
        if (Objects.requireNonNull(utf8, "utf8").length != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (buffer.get(offset + i) != utf8[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int length() {
        decode();
        return charLength;
    }

    @Override
    public char charAt(int index) {
        decode();
        if (index < 0 || index >= charLength) {
            throw new IndexOutOfBoundsException("index=" + index + " length=" + charLength);
        }
        return chars[index];
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return toString().substring(start, end);
    }

    /** Whether the text equals {@code other}'s, char for char. */
    public boolean contentEquals(CharSequence other) {
        decode();
        if (other.length() != charLength) {
            return false;
        }
        for (int i = 0; i < charLength; i++) {
            if (chars[i] != other.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** A new String with the text (allocates). */
    @Override
    public String toString() {
        byte[] b = new byte[length];
        buffer.get(offset, b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Decodes into the reusable char array once per wrap. */
    private void decode() {
        if (charLength >= 0) {
            return;
        }
        if (chars.length < length) {
            chars = Arrays.copyOf(chars, Math.max(length, chars.length * 2));
        }
        int n = 0;
        int i = 0;
        while (i < length) {
            int b0 = buffer.get(offset + i) & 0xFF;
            if (b0 < 0x80) {
                chars[n++] = (char) b0;
                i++;
                continue;
            }
            int need = b0 >= 0xF0 && b0 <= 0xF4 ? 3 : b0 >= 0xE0 ? (b0 <= 0xEF ? 2 : -1) : b0 >= 0xC2 ? 1 : -1;
            int cp = need == 3 ? b0 & 0x07 : need == 2 ? b0 & 0x0F : b0 & 0x1F;
            int j = 1;
            boolean ok = need > 0 && i + need < length + 1;
            for (; ok && j <= need; j++) {
                if (i + j >= length) {
                    ok = false;
                    break;
                }
                int b = buffer.get(offset + i + j) & 0xFF;
                if ((b & 0xC0) != 0x80) {
                    ok = false;
                    break;
                }
                cp = (cp << 6) | (b & 0x3F);
            }
            boolean valid = ok && !(need == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)))
                    && !(need == 3 && (cp < 0x10000 || cp > 0x10FFFF));
            if (!valid) {
                chars[n++] = '\uFFFD';
                i += Math.max(1, j);
                continue;
            }
            if (cp >= 0x10000) {
                chars[n++] = Character.highSurrogate(cp);
                chars[n++] = Character.lowSurrogate(cp);
            } else {
                chars[n++] = (char) cp;
            }
            i += need + 1;
        }
        charLength = n;
    }
}
