package dev.ferrule.schema;

import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import dev.ferrule.internal.NativeSchemas;
import dev.ferrule.internal.schema.CompiledSchema;
import dev.ferrule.internal.schema.SchemaCompiler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A set of protobuf message types, compiled once into the layout tables both engines run on.
 *
 * <p>Load one from a {@code FileDescriptorSet} ({@code protoc --descriptor_set_out=F --include_imports})
 * or straight from .proto files through protoc. The native engine receives the compiled tables once,
 * the first time a native codec uses this schema, and never again per call. Immutable and
 * thread-safe: share one schema between all threads.
 */
public final class Schema {
    private final CompiledSchema compiled;
    private final List<MessageType> messages;
    private volatile long nativeHandle;

    private Schema(CompiledSchema compiled) {
        this.compiled = compiled;
        List<MessageType> list = new ArrayList<>(compiled.messageCount());
        for (int m = 0; m < compiled.messageCount(); m++) {
            list.add(new MessageType(this, m));
        }
        this.messages = Collections.unmodifiableList(list);
    }

    /**
     * Compiles a serialized {@code google.protobuf.FileDescriptorSet} that includes every imported file.
     *
     * @throws FerruleException {@link ErrorCode#SCHEMA_INVALID} if it is malformed or incomplete
     */
    public static Schema fromDescriptorSet(byte[] fileDescriptorSet) {
        Objects.requireNonNull(fileDescriptorSet, "fileDescriptorSet");
        return new Schema(CompiledSchema.read(SchemaCompiler.compile(fileDescriptorSet)));
    }

    /** Reads and compiles a descriptor set file written by {@code protoc --descriptor_set_out --include_imports}. */
    public static Schema fromDescriptorSet(Path file) throws IOException {
        return fromDescriptorSet(Files.readAllBytes(file));
    }

    /**
     * Runs protoc on .proto files and compiles the result. protoc is found as {@link Protoc#locate()}
     * describes; the well-known types ({@code google/protobuf/*.proto}) are added to the import path
     * when they are on the class path.
     *
     * @param protoFiles the files to compile, each under one of {@code importPath}
     * @param importPath the {@code -I} directories
     */
    public static Schema fromProtoFiles(List<Path> protoFiles, List<Path> importPath) throws IOException {
        return fromDescriptorSet(Protoc.locate().descriptorSet(protoFiles, importPath));
    }

    /**
     * The message type with this full name ({@code package.Outer.Inner}).
     *
     * @throws FerruleException {@link ErrorCode#INVALID_ARGUMENT} if there is none
     */
    public MessageType message(String fullName) {
        int m = compiled.messageIndex(Objects.requireNonNull(fullName, "fullName"));
        if (m < 0) {
            throw new FerruleException(ErrorCode.INVALID_ARGUMENT, "no message type named '" + fullName + "' in this schema");
        }
        return messages.get(m);
    }

    /** Every message type, map entries included, in a stable order. */
    public List<MessageType> messages() {
        return messages;
    }

    MessageType messageAt(int index) {
        return messages.get(index);
    }

    /** The compiled tables; internal. */
    public CompiledSchema compiled() {
        return compiled;
    }

    /**
     * The native engine's handle for this schema, registering it on first use; internal. Freed when
     * this schema becomes unreachable.
     */
    public long nativeHandle() {
        long handle = nativeHandle;
        if (handle == 0) {
            synchronized (this) {
                handle = nativeHandle;
                if (handle == 0) {
                    handle = NativeSchemas.register(this, compiled);
                    nativeHandle = handle;
                }
            }
        }
        return handle;
    }
}
