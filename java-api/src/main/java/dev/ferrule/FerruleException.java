package dev.ferrule;

import java.util.Objects;

/**
 * The one exception Ferrule throws for anything but programming errors such as a {@code null}
 * argument: every failure carries a stable {@link ErrorCode}, and where input bytes are at fault,
 * the byte offset at which the problem was found.
 *
 * <p>A call that throws this exception has not changed its destination buffer or table in a way
 * that loses data: no valid frame decoded before the failure is lost, and an encode that fails
 * writes nothing.
 */
public class FerruleException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** {@link #offset()} when the error is not about a position in the input. */
    public static final long NO_OFFSET = -1;

    private final ErrorCode code;
    private final long offset;
    private final String detail;
    private final String fieldPath;

    /**
     * @param code the stable error code
     * @param offset byte offset in the input (or index of the table entry, for encode errors), or
     *     {@link #NO_OFFSET}
     * @param message what was being done and what went wrong, for a human
     * @param cause the underlying failure, or {@code null}
     */
    public FerruleException(ErrorCode code, long offset, String message, Throwable cause) {
        this(code, offset, "", message, cause);
    }

    /**
     * An error in a protobuf message, at {@code fieldPath} (e.g. {@code resource_spans[0].scope_spans[2].name}).
     */
    public FerruleException(ErrorCode code, long offset, String fieldPath, String message, Throwable cause) {
        super(format(code, offset, fieldPath, message), cause);
        this.code = Objects.requireNonNull(code, "code");
        this.offset = offset;
        this.fieldPath = Objects.requireNonNull(fieldPath, "fieldPath");
        this.detail = message;
    }

    /** An error with no input offset. */
    public FerruleException(ErrorCode code, String message) {
        this(code, NO_OFFSET, message, null);
    }

    /** An error with no input offset, caused by another failure. */
    public FerruleException(ErrorCode code, String message, Throwable cause) {
        this(code, NO_OFFSET, message, cause);
    }

    /** The stable error code. */
    public ErrorCode code() {
        return code;
    }

    /**
     * Where the error was found: for decode errors the absolute index, in the caller's buffer, of the
     * offending field; for encode errors the index of the table entry at fault; otherwise
     * {@link #NO_OFFSET}.
     */
    public long offset() {
        return offset;
    }

    /**
     * For errors inside a protobuf message, the path of fields from the root to the field at fault,
     * such as {@code resource_spans[0].scope_spans[2].spans[7].name}; otherwise empty.
     */
    public String fieldPath() {
        return fieldPath;
    }

    /** The message without the code and offset prefix that {@link #getMessage()} starts with. */
    public String detail() {
        return detail;
    }

    private static String format(ErrorCode code, long offset, String fieldPath, String message) {
        StringBuilder s = new StringBuilder(96);
        s.append(code.name()).append(" (").append(code.code()).append(')');
        if (offset != NO_OFFSET) {
            s.append(" at offset ").append(offset);
        }
        if (!fieldPath.isEmpty()) {
            s.append(" in ").append(fieldPath);
        }
        s.append(": ").append(message);
        return s.toString();
    }
}
