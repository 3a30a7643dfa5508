package dev.ferrule.cli.json;

/**
 * A message cannot be converted between JSON and protobuf: the JSON is malformed or does not fit the
 * schema, or a decoded message has no JSON form (an {@code Any} whose type is not in the schema, a
 * Timestamp out of range). The message names the field path ({@code resourceSpans[0].spans[2].name}).
 */
public final class JsonException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String path;

    JsonException(String path, String message) {
        this(path, message, null);
    }

    JsonException(String path, String message, Throwable cause) {
        super((path.isEmpty() ? "" : "at " + path + ": ") + message, cause);
        this.path = path;
    }

    /** The field path from the root message to the value at fault; empty for the root. */
    public String path() {
        return path;
    }
}
