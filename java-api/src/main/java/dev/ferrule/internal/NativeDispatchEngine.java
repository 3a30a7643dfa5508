package dev.ferrule.internal;

import dev.ferrule.BackendKind;
import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import dev.ferrule.internal.NativeBackend.AddressSlot;
import dev.ferrule.schema.Schema;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;

/**
 * The native dispatch engine: a native dispatcher (the library's Rust handlers, plus this dispatcher's
 * routes and pending output) driven with one JNI call per pass (native/C-ABI.md, "Dispatch").
 */
final class NativeDispatchEngine implements DispatchEngine {
    /** Frees the native dispatcher of an engine nobody closed once it is unreachable. */
    private static final Cleaner CLEANER = Cleaner.create();

    private final Schema schema;
    private final long handle;
    private final Cleaner.Cleanable release;
    private final AddressSlot in = new AddressSlot();
    private final AddressSlot out = new AddressSlot();
    private final AddressSlot table = new AddressSlot();
    private final AddressSlot arena = new AddressSlot();
    private final AddressSlot statuses = new AddressSlot();
    private long pending;

    NativeDispatchEngine(Schema schema) {
        this.schema = schema;
        long created = NativeBindings.dispatcherNew0();
        if (created == 0) {
            throw new FerruleException(ErrorCode.INTERNAL, "the native library could not create a dispatcher");
        }
        int status = NativeBindings.acceleratorsRegister0(created);
        if (status != 0) {
            NativeBindings.dispatcherRelease0(created);
            ErrorCode code = ErrorCode.fromCode(status);
            throw new FerruleException(code == null ? ErrorCode.INTERNAL : code,
                    "the native library's accelerators failed to register (see the native log)");
        }
        this.handle = created;
        this.release = CLEANER.register(this, () -> NativeBindings.dispatcherRelease0(created));
    }

    @Override
    public BackendKind kind() {
        return BackendKind.NATIVE;
    }

    @Override
    public boolean route(int methodId, int kind, int javaIndex, int requestType) {
        return NativeBindings.dispatcherRoute0(handle, methodId, kind, javaIndex, requestType) == 0;
    }

    @Override
    public void timeHandlers(boolean enabled) {
        NativeBindings.dispatcherTimeHandlers0(handle, enabled);
    }

    @Override
    public void addTestHandlers() {
        NativeBindings.dispatcherAddTestHandlers0(handle);
    }

    @Override
    public int firstPass(ByteBuffer input, int start, int length, int maxPayloadLength, ByteBuffer output,
            int outStart, int outLength, ByteBuffer table, int capacity, ByteBuffer arena, int maxDepth) {
        int status = NativeBindings.dispatch0(handle, schema.nativeHandle(), in.of(input) + start, length, start,
                maxPayloadLength, out.of(output) + outStart, outLength, this.table.of(table), capacity,
                this.arena.of(arena), arena.capacity(), maxDepth);
        pending = table.getLong(DispatchLayout.PENDING_AT);
        Reference.reachabilityFence(this);
        return status;
    }

    @Override
    public int encode(ByteBuffer table, int first, int count, ByteBuffer arena, ByteBuffer input, ByteBuffer statuses,
            ByteBuffer output, int outStart, int outLength, int maxDepth) {
        int status = NativeBindings.dispatchEncode0(schema.nativeHandle(), this.table.of(table), first, count,
                this.arena.of(arena), arena.capacity(), in.of(input), input.capacity(), this.statuses.of(statuses),
                statuses.capacity(), out.of(output) + outStart, outLength, maxDepth);
        // As in firstPass: the slots hold the buffers and the schema holds its native tables until here.
        Reference.reachabilityFence(this);
        return status;
    }

    @Override
    public long pending() {
        return pending;
    }

    @Override
    public int drain(ByteBuffer output, int start, int length) {
        long written = NativeBindings.dispatchDrain0(handle, out.of(output) + start, length);
        if (written < 0) {
            throw new FerruleException(ErrorCode.INTERNAL, "draining the native dispatcher failed");
        }
        pending = NativeBindings.dispatchPending0(handle);
        Reference.reachabilityFence(this);
        return (int) written;
    }

    /** Frees the native dispatcher now; callable once (the dispatcher refuses calls after close). */
    @Override
    public void close() {
        release.clean();
    }
}
