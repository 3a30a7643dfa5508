package dev.ferrule.internal.schema;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * Parses proto2 explicit defaults ({@code FieldDescriptorProto.default_value}) exactly as
 * protobuf-java's {@code Descriptors} does: integers in decimal, {@code 0x} hexadecimal or
 * {@code 0}-prefixed octal with protobuf-java's range checks, floats with {@code inf}, {@code -inf},
 * {@code nan} or Java's own float syntax, {@code Boolean.valueOf} for bools, and C-style escapes for
 * bytes (protobuf's text-format unescaping). Every failure is an {@link IllegalArgumentException}.
 */
final class DefaultValues {
    private DefaultValues() {}

    static long parseInteger(String text, boolean signed, boolean isLong) {
        int pos = 0;
        boolean negative = false;
        if (text.startsWith("-", pos)) {
            if (!signed) {
                throw new NumberFormatException("number must be positive: " + text);
            }
            pos++;
            negative = true;
        }
        int radix = 10;
        if (text.startsWith("0x", pos)) {
            pos += 2;
            radix = 16;
        } else if (text.startsWith("0", pos)) {
            radix = 8;
        }
        String digits = text.substring(pos);
        if (digits.length() < 16) {
            // Fewer than 16 digits cannot overflow a long in any of these radixes.
            long result = Long.parseLong(digits, radix);
            if (negative) {
                result = -result;
            }
            if (!isLong) {
                if (signed ? result > Integer.MAX_VALUE || result < Integer.MIN_VALUE
                        : result >= (1L << 32) || result < 0) {
                    throw new NumberFormatException("number out of range for a 32-bit integer: " + text);
                }
            }
            return result;
        }
        BigInteger big = new BigInteger(digits, radix);
        if (negative) {
            big = big.negate();
        }
        int maxBits = (isLong ? 64 : 32) - (signed ? 1 : 0);
        if (big.bitLength() > maxBits) {
            throw new NumberFormatException("number out of range: " + text);
        }
        return big.longValue();
    }

    static float parseFloat(String text) {
        return switch (text) {
            case "inf" -> Float.POSITIVE_INFINITY;
            case "-inf" -> Float.NEGATIVE_INFINITY;
            case "nan" -> Float.NaN;
            default -> Float.valueOf(text);
        };
    }

    static double parseDouble(String text) {
        return switch (text) {
            case "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            case "nan" -> Double.NaN;
            default -> Double.valueOf(text);
        };
    }

    static boolean parseBool(String text) {
        return Boolean.parseBoolean(text);
    }

    /** Text-format unescaping of a bytes default: the UTF-8 of {@code text} with C escapes resolved. */
    static byte[] unescapeBytes(String text) {
        byte[] in = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
        for (int i = 0; i < in.length; i++) {
            byte c = in[i];
            if (c != '\\') {
                out.write(c);
                continue;
            }
            if (i + 1 >= in.length) {
                throw new IllegalArgumentException("invalid escape sequence: '\\' at end of string");
            }
            c = in[++i];
            if (isOctal(c)) {
                int code = digit(c);
                if (i + 1 < in.length && isOctal(in[i + 1])) {
                    code = code * 8 + digit(in[++i]);
                }
                if (i + 1 < in.length && isOctal(in[i + 1])) {
                    code = code * 8 + digit(in[++i]);
                }
                out.write((byte) code);
                continue;
            }
            switch (c) {
                case 'a' -> out.write(0x07);
                case 'b' -> out.write('\b');
                case 'f' -> out.write('\f');
                case 'n' -> out.write('\n');
                case 'r' -> out.write('\r');
                case 't' -> out.write('\t');
                case 'v' -> out.write(0x0b);
                case '\\', '\'', '"', '?' -> out.write(c);
                case 'x' -> {
                    if (!(i + 1 < in.length && isHex(in[i + 1]))) {
                        throw new IllegalArgumentException("invalid escape sequence: '\\x' with no digits");
                    }
                    int code = digit(in[++i]);
                    if (i + 1 < in.length && isHex(in[i + 1])) {
                        code = code * 16 + digit(in[++i]);
                    }
                    out.write((byte) code);
                }
                case 'u' -> {
                    i++;
                    if (!(i + 3 < in.length && isHex(in[i]) && isHex(in[i + 1]) && isHex(in[i + 2])
                            && isHex(in[i + 3]))) {
                        throw new IllegalArgumentException("invalid escape sequence: '\\u' with too few hex chars");
                    }
                    char ch = (char) (digit(in[i]) << 12 | digit(in[i + 1]) << 8 | digit(in[i + 2]) << 4
                            | digit(in[i + 3]));
                    if (Character.isSurrogate(ch)) {
                        throw new IllegalArgumentException("invalid escape sequence: '\\u' refers to a surrogate");
                    }
                    out.writeBytes(String.valueOf(ch).getBytes(StandardCharsets.UTF_8));
                    i += 3;
                }
                case 'U' -> {
                    i++;
                    if (i + 7 >= in.length) {
                        throw new IllegalArgumentException("invalid escape sequence: '\\U' with too few hex chars");
                    }
                    int codePoint = 0;
                    for (int k = i; k < i + 8; k++) {
                        if (!isHex(in[k])) {
                            throw new IllegalArgumentException(
                                    "invalid escape sequence: '\\U' with too few hex chars");
                        }
                        codePoint = codePoint << 4 | digit(in[k]);
                    }
                    if (!Character.isValidCodePoint(codePoint)
                            || (codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE)) {
                        throw new IllegalArgumentException("invalid escape sequence: '\\U' is not a valid code point");
                    }
                    out.writeBytes(new String(new int[] {codePoint}, 0, 1).getBytes(StandardCharsets.UTF_8));
                    i += 7;
                }
                default -> throw new IllegalArgumentException("invalid escape sequence: '\\" + (char) c + "'");
            }
        }
        return out.toByteArray();
    }

    private static boolean isOctal(byte c) {
        return '0' <= c && c <= '7';
    }

    private static boolean isHex(byte c) {
        return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F');
    }

    private static int digit(byte c) {
        if ('0' <= c && c <= '9') {
            return c - '0';
        } else if ('a' <= c && c <= 'z') {
            return c - 'a' + 10;
        }
        return c - 'A' + 10;
    }
}
