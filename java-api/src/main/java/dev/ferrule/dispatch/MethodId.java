package dev.ferrule.dispatch;

import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Method ids: the CRC-32C of the UTF-8 full method name {@code pkg.Service/Method}, as the request
 * frame's method id field carries it (docs/dispatch.md, section 1). The Rust engine computes the same
 * ({@code ferrule_engine::dispatch::method_id}).
 */
public final class MethodId {
    private MethodId() {}

    /** The method id of {@code method}, without checking the name. */
    public static int of(String method) {
        Objects.requireNonNull(method, "method");
        CRC32C crc = new CRC32C();
        crc.update(method.getBytes(StandardCharsets.UTF_8));
        return (int) crc.getValue();
    }

    /**
     * The method id of a usable method name: exactly one {@code /} with text on both sides, and an id
     * other than 0 (reserved: gRPC framing carries no method).
     *
     * @throws FerruleException {@link ErrorCode#DISPATCH_METHOD_INVALID} otherwise
     */
    public static int checked(String method) {
        Objects.requireNonNull(method, "method");
        int slash = method.indexOf('/');
        if (slash <= 0 || slash == method.length() - 1 || method.indexOf('/', slash + 1) >= 0) {
            throw new FerruleException(ErrorCode.DISPATCH_METHOD_INVALID,
                    "method name \"" + method + "\" is not pkg.Service/Method");
        }
        int id = of(method);
        if (id == 0) {
            throw new FerruleException(ErrorCode.DISPATCH_METHOD_INVALID, "method \"" + method + "\" has the reserved id 0");
        }
        return id;
    }
}
