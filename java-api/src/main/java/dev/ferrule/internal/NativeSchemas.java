package dev.ferrule.internal;

import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import dev.ferrule.internal.proto.CallBlock;
import dev.ferrule.internal.schema.CompiledSchema;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;

/** Hands compiled schemas to the native engine once and frees them when their owner is gone. */
public final class NativeSchemas {
    private NativeSchemas() {}

    private static final Cleaner CLEANER = Cleaner.create();

    /**
     * Registers {@code compiled} with the native engine; the handle is released once {@code owner}
     * (which must keep every user of the handle reachable) becomes unreachable.
     */
    public static long register(Object owner, CompiledSchema compiled) {
        ByteBuffer bytes = ByteBuffer.allocateDirect(compiled.bytes().capacity());
        bytes.put(compiled.bytes()).clear();
        ByteBuffer call = CallBlock.allocate(0);
        long handle = NativeBindings.schemaRegister0(NativeBindings.bufferAddress0(bytes), bytes.capacity(),
                NativeBindings.bufferAddress0(call));
        java.lang.ref.Reference.reachabilityFence(bytes);
        java.lang.ref.Reference.reachabilityFence(call);
        if (handle == 0) {
            int code = call.getInt(0);
            ErrorCode error = ErrorCode.fromCode(code);
            throw new FerruleException(error == null ? ErrorCode.INTERNAL : error,
                    "the native engine refused the compiled schema (status " + code + ")");
        }
        CLEANER.register(owner, () -> NativeBindings.schemaRelease0(handle));
        return handle;
    }
}
