package dev.ferrule.cli.json;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Locale;

/**
 * The google.protobuf types with a special proto3 JSON form, and the text conversions of Timestamp,
 * Duration and FieldMask exactly as protobuf-java-util's {@code Timestamps}, {@code Durations} and
 * {@code FieldMaskUtil} do them.
 */
final class WellKnownTypes {
    static final String ANY = "google.protobuf.Any";
    static final String TIMESTAMP = "google.protobuf.Timestamp";
    static final String DURATION = "google.protobuf.Duration";
    static final String FIELD_MASK = "google.protobuf.FieldMask";
    static final String STRUCT = "google.protobuf.Struct";
    static final String VALUE = "google.protobuf.Value";
    static final String LIST_VALUE = "google.protobuf.ListValue";
    static final String NULL_VALUE = "google.protobuf.NullValue";

    /** Timestamp for "0001-01-01T00:00:00Z". */
    static final long TIMESTAMP_SECONDS_MIN = -62135596800L;
    /** Timestamp for "9999-12-31T23:59:59Z". */
    static final long TIMESTAMP_SECONDS_MAX = 253402300799L;
    static final long DURATION_SECONDS_MIN = -315576000000L;
    static final long DURATION_SECONDS_MAX = 315576000000L;
    private static final int NANOS_PER_SECOND = 1_000_000_000;

    private WellKnownTypes() {}

    /** Whether this message type prints as one of the special forms. */
    static boolean isSpecial(String fullName) {
        return switch (fullName) {
            case ANY, TIMESTAMP, DURATION, FIELD_MASK, STRUCT, VALUE, LIST_VALUE -> true;
            default -> isWrapper(fullName);
        };
    }

    /** The wrapper types (google/protobuf/wrappers.proto): a message with one field, {@code value = 1}. */
    static boolean isWrapper(String fullName) {
        return switch (fullName) {
            case "google.protobuf.BoolValue", "google.protobuf.Int32Value", "google.protobuf.UInt32Value",
                    "google.protobuf.Int64Value", "google.protobuf.UInt64Value", "google.protobuf.StringValue",
                    "google.protobuf.BytesValue", "google.protobuf.FloatValue", "google.protobuf.DoubleValue" -> true;
            default -> false;
        };
    }

    // ---- Timestamp ---------------------------------------------------------------------------------

    static boolean isValidTimestamp(long seconds, int nanos) {
        return seconds >= TIMESTAMP_SECONDS_MIN && seconds <= TIMESTAMP_SECONDS_MAX && nanos >= 0
                && nanos < NANOS_PER_SECOND;
    }

    static String invalidTimestamp(long seconds, int nanos) {
        return "Timestamp is not valid. See proto definition for valid values. Seconds (" + seconds
                + ") must be in range [-62,135,596,800, +253,402,300,799]. Nanos (" + nanos
                + ") must be in range [0, +999,999,999].";
    }

    /** RFC 3339, Z-normalized, with 0, 3, 6 or 9 fractional digits ({@code Timestamps.toString}). */
    static String formatTimestamp(long seconds, int nanos) {
        if (!isValidTimestamp(seconds, nanos)) {
            throw new IllegalArgumentException(invalidTimestamp(seconds, nanos));
        }
        LocalDateTime t = LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC);
        StringBuilder s = new StringBuilder(32);
        pad(s, t.getYear(), 4).append('-');
        pad(s, t.getMonthValue(), 2).append('-');
        pad(s, t.getDayOfMonth(), 2).append('T');
        pad(s, t.getHour(), 2).append(':');
        pad(s, t.getMinute(), 2).append(':');
        pad(s, t.getSecond(), 2);
        if (nanos != 0) {
            s.append('.').append(formatNanos(nanos));
        }
        return s.append('Z').toString();
    }

    private static StringBuilder pad(StringBuilder s, int value, int width) {
        String digits = Integer.toString(value);
        for (int i = digits.length(); i < width; i++) {
            s.append('0');
        }
        return s.append(digits);
    }

    static String formatNanos(int nanos) {
        if (nanos % 1_000_000 == 0) {
            return String.format(Locale.ENGLISH, "%1$03d", nanos / 1_000_000);
        } else if (nanos % 1_000 == 0) {
            return String.format(Locale.ENGLISH, "%1$06d", nanos / 1_000);
        }
        return String.format(Locale.ENGLISH, "%1$09d", nanos);
    }

    /**
     * Parses RFC 3339 as {@code Timestamps.parse} does: any offset, any number of fractional digits
     * (the first nine count). Returns {seconds, nanos}.
     */
    static long[] parseTimestamp(String value) {
        int dayOffset = value.indexOf('T');
        if (dayOffset == -1) {
            throw new IllegalArgumentException("invalid timestamp \"" + value + "\"");
        }
        int zone = value.indexOf('Z', dayOffset);
        if (zone == -1) {
            zone = value.indexOf('+', dayOffset);
        }
        if (zone == -1) {
            zone = value.indexOf('-', dayOffset);
        }
        if (zone == -1) {
            throw new IllegalArgumentException("missing valid timezone offset.");
        }
        String timeValue = value.substring(0, zone);
        String secondValue = timeValue;
        String nanoValue = "";
        int point = timeValue.indexOf('.');
        if (point != -1) {
            secondValue = timeValue.substring(0, point);
            nanoValue = timeValue.substring(point + 1);
        }
        long seconds = parseDateTime(secondValue, value);
        int nanos = nanoValue.isEmpty() ? 0 : parseNanos(nanoValue);
        if (value.charAt(zone) == 'Z') {
            if (value.length() != zone + 1) {
                throw new IllegalArgumentException("invalid trailing data \"" + value.substring(zone) + "\"");
            }
        } else {
            long offset = parseTimezoneOffset(value.substring(zone + 1));
            seconds = value.charAt(zone) == '+' ? seconds - offset : seconds + offset;
        }
        if (seconds < TIMESTAMP_SECONDS_MIN || seconds > TIMESTAMP_SECONDS_MAX) {
            throw new IllegalArgumentException("Timestamp " + value + " is out of range.");
        }
        return new long[] {seconds, nanos};
    }

    /** {@code yyyy-MM-dd'T'HH:mm:ss} in the proleptic Gregorian calendar, UTC, each field one to nine digits. */
    private static long parseDateTime(String text, String whole) {
        int[] fields = new int[6];
        char[] separators = {'-', '-', 'T', ':', ':'};
        int p = 0;
        for (int i = 0; i < 6; i++) {
            int start = p;
            long n = 0;
            while (p < text.length() && text.charAt(p) >= '0' && text.charAt(p) <= '9' && p - start < 9) {
                n = n * 10 + (text.charAt(p) - '0');
                p++;
            }
            if (p == start) {
                throw new IllegalArgumentException("invalid timestamp \"" + whole + "\"");
            }
            fields[i] = (int) n;
            if (i < 5) {
                if (p >= text.length() || text.charAt(p) != separators[i]) {
                    throw new IllegalArgumentException("invalid timestamp \"" + whole + "\"");
                }
                p++;
            }
        }
        if (p != text.length()) {
            throw new IllegalArgumentException("invalid timestamp \"" + whole + "\"");
        }
        // Out-of-range fields roll over (February 30 is March 1), as in the lenient SimpleDateFormat
        // protobuf-java-util falls back to (with a warning that this "will become an error in 2027").
        try {
            return LocalDateTime.of(fields[0], 1, 1, 0, 0, 0).plusMonths(fields[1] - 1L).plusDays(fields[2] - 1L)
                    .plusHours(fields[3]).plusMinutes(fields[4]).plusSeconds(fields[5]).toEpochSecond(ZoneOffset.UTC);
        } catch (java.time.DateTimeException | ArithmeticException e) {
            throw new IllegalArgumentException("invalid timestamp \"" + whole + "\": " + e.getMessage());
        }
    }

    private static long parseTimezoneOffset(String value) {
        int pos = value.indexOf(':');
        if (pos == -1) {
            throw new IllegalArgumentException("Invalid offset value: " + value);
        }
        try {
            return (Long.parseLong(value.substring(0, pos)) * 60 + Long.parseLong(value.substring(pos + 1))) * 60;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid offset value: " + value);
        }
    }

    /** The first nine digits as nanoseconds (fewer are padded with zeros), as protobuf-java-util reads them. */
    static int parseNanos(String value) {
        int result = 0;
        for (int i = 0; i < 9; ++i) {
            result = result * 10;
            if (i < value.length()) {
                char c = value.charAt(i);
                if (c < '0' || c > '9') {
                    throw new IllegalArgumentException("Invalid nanoseconds.");
                }
                result += c - '0';
            }
        }
        return result;
    }

    // ---- Duration ----------------------------------------------------------------------------------

    static boolean isValidDuration(long seconds, int nanos) {
        if (seconds < DURATION_SECONDS_MIN || seconds > DURATION_SECONDS_MAX) {
            return false;
        }
        if (nanos < -999_999_999L || nanos >= NANOS_PER_SECOND) {
            return false;
        }
        return !((seconds < 0 || nanos < 0) && (seconds > 0 || nanos > 0));
    }

    /** {@code Durations.toString}: "1.500s", "-0.000000001s". */
    static String formatDuration(long seconds, int nanos) {
        if (!isValidDuration(seconds, nanos)) {
            throw new IllegalArgumentException("Duration is not valid. See proto definition for valid values. Seconds ("
                    + seconds + ") must be in range [-315,576,000,000, +315,576,000,000]. Nanos (" + nanos
                    + ") must be in range [-999,999,999, +999,999,999]. Nanos must have the same sign as seconds");
        }
        StringBuilder s = new StringBuilder();
        if (seconds < 0 || nanos < 0) {
            s.append('-');
            seconds = -seconds;
            nanos = -nanos;
        }
        s.append(seconds);
        if (nanos != 0) {
            s.append('.').append(formatNanos(nanos));
        }
        return s.append('s').toString();
    }

    /** {@code Durations.parse}; returns {seconds, nanos}. */
    static long[] parseDuration(String value) {
        if (value.isEmpty() || value.charAt(value.length() - 1) != 's') {
            throw new IllegalArgumentException("Invalid duration string: " + value);
        }
        boolean negative = false;
        if (value.charAt(0) == '-') {
            negative = true;
            value = value.substring(1);
        }
        String secondValue = value.substring(0, value.length() - 1);
        String nanoValue = "";
        int point = secondValue.indexOf('.');
        if (point != -1) {
            nanoValue = secondValue.substring(point + 1);
            secondValue = secondValue.substring(0, point);
        }
        long seconds;
        try {
            seconds = Long.parseLong(secondValue);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid duration string: " + value);
        }
        int nanos = nanoValue.isEmpty() ? 0 : parseNanos(nanoValue);
        if (seconds < 0) {
            throw new IllegalArgumentException("Invalid duration string: " + value);
        }
        if (negative) {
            seconds = -seconds;
            nanos = -nanos;
        }
        if (!isValidDuration(seconds, nanos)) {
            throw new IllegalArgumentException("Duration value is out of range.");
        }
        return new long[] {seconds, nanos};
    }

    // ---- FieldMask ---------------------------------------------------------------------------------

    /** One FieldMask path in its JSON form: lower_underscore to lowerCamel ({@code FieldMaskUtil}). */
    static String pathToJson(String path) {
        StringBuilder sb = new StringBuilder();
        boolean capitalizeNext = false;
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '_') {
                capitalizeNext = true;
            } else if (capitalizeNext) {
                sb.append(Character.toUpperCase(c));
                capitalizeNext = false;
            } else {
                sb.append(Character.toLowerCase(c));
            }
        }
        return sb.toString();
    }

    /** One FieldMask path from its JSON form: lowerCamel to lower_underscore. */
    static String pathFromJson(String path) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                sb.append('_');
            }
            sb.append(Character.toLowerCase(c));
        }
        return sb.toString();
    }
}
