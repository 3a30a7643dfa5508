package dev.ferrule.cli;

import dev.ferrule.BackendKind;
import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import dev.ferrule.cli.json.JsonException;
import dev.ferrule.cli.json.JsonPrinter;
import dev.ferrule.proto.Arena;
import dev.ferrule.proto.MessageReader;
import dev.ferrule.proto.ProtoCodec;
import dev.ferrule.schema.MessageType;
import dev.ferrule.schema.Schema;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ferrule decode}: reads binary protobuf and prints it in the proto3 JSON mapping, exactly as
 * protobuf-java-util's {@code JsonFormat.printer()} prints it.
 */
@Command(name = "decode", description = {
    "Read a binary protobuf message and print it as proto3 JSON (as protobuf-java-util's JsonFormat prints it).",
    "With --delimited, read varint-length-prefixed messages (as writeDelimitedTo writes them) and print one JSON"
            + " document per message.",
    "Invalid input: prints the error code, byte offset and field path, and exits 1."})
final class DecodeCommand implements Callable<Integer> {
    /** Exit code: the arguments are wrong (picocli's own code for usage errors). */
    static final int EXIT_USAGE = 2;

    @Spec
    CommandSpec spec;

    @Mixin
    SchemaOptions schemaOptions = new SchemaOptions();

    @Option(names = "--delimited", description = "a stream of length-delimited messages")
    boolean delimited;

    @Parameters(index = "0", arity = "0..1", defaultValue = "-", description = "binary input file, - for stdin")
    String in;

    @Parameters(index = "1", arity = "0..1", defaultValue = "-", description = "JSON output file, - for stdout")
    String out;

    /** The schema named on the command line cannot be used: a usage error. */
    static final class SchemaException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SchemaException(String message) {
            super(message);
        }
    }

    /** The schema, type and codec options shared by decode and encode. */
    static final class SchemaOptions {
        @Option(names = "--proto", paramLabel = "FILE", description = ".proto file defining the type (repeatable; compiled with protoc)")
        List<Path> protoFiles = new ArrayList<>();

        @Option(names = {"-I", "--proto_path"}, paramLabel = "DIR",
                description = "import directory for --proto (repeatable; default: each file's directory)")
        List<Path> importPath = new ArrayList<>();

        @Option(names = "--descriptor-set", paramLabel = "FILE",
                description = "a FileDescriptorSet (protoc --include_imports --descriptor_set_out) instead of --proto")
        Path descriptorSet;

        @Option(names = "--type", required = true, paramLabel = "NAME", description = "full message type name, e.g. pkg.Msg")
        String type;

        @Option(names = "--backend", description = "native or java (default: whichever is loaded)")
        String backend;

        Schema schema;
        MessageType messageType;
        ProtoCodec codec;

        /**
         * Loads the schema and makes the codec.
         *
         * @return 0, or {@link #EXIT_USAGE} after printing why the schema cannot be used
         * @throws CommandLine.ParameterException for arguments that do not go together (picocli prints the usage)
         */
        int load(CommandSpec spec) {
            try {
                compile(spec);
                return 0;
            } catch (SchemaException e) {
                spec.commandLine().getErr().println("ferrule: " + e.getMessage());
                return EXIT_USAGE;
            }
        }

        private void compile(CommandSpec spec) {
            CommandLine cli = spec.commandLine();
            if (protoFiles.isEmpty() == (descriptorSet == null)) {
                throw new CommandLine.ParameterException(cli, "give either --proto or --descriptor-set (exactly one)");
            }
            if (descriptorSet != null && !importPath.isEmpty()) {
                throw new CommandLine.ParameterException(cli, "-I/--proto_path goes with --proto, not --descriptor-set");
            }
            BackendKind kind = null;
            if (backend != null) {
                try {
                    kind = BackendKind.valueOf(backend.toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.ParameterException(cli, "--backend does not accept '" + backend + "' (native or java)");
                }
            }
            try {
                if (descriptorSet != null) {
                    schema = Schema.fromDescriptorSet(descriptorSet);
                } else {
                    List<Path> files = new ArrayList<>();
                    List<Path> dirs = new ArrayList<>();
                    for (Path p : protoFiles) {
                        Path file = p.toAbsolutePath().normalize();
                        files.add(file);
                        if (importPath.isEmpty() && file.getParent() != null && !dirs.contains(file.getParent())) {
                            dirs.add(file.getParent());
                        }
                    }
                    for (Path p : importPath) {
                        dirs.add(p.toAbsolutePath().normalize());
                    }
                    schema = Schema.fromProtoFiles(files, dirs);
                }
            } catch (IOException e) {
                throw new SchemaException("cannot read the schema: " + e);
            } catch (FerruleException e) {
                if (e.code() == ErrorCode.SCHEMA_INVALID) {
                    throw new SchemaException(e.getMessage());
                }
                throw e;
            }
            if (schema.compiled().messageIndex(type) < 0) {
                throw new SchemaException("the schema has no message type named '" + type + "'");
            }
            messageType = schema.message(type);
            ProtoCodec.Builder builder = ProtoCodec.builder(schema);
            if (kind != null) {
                builder.backend(kind);
            }
            codec = builder.build();
        }
    }

    @Override
    public Integer call() throws IOException {
        if (schemaOptions.load(spec) != 0) {
            return EXIT_USAGE;
        }
        byte[] bytes;
        try (InputStream input = FramesCommand.open(in)) {
            bytes = input.readAllBytes();
        }
        ByteBuffer buffer = ByteBuffer.allocateDirect(Math.max(1, bytes.length));
        buffer.put(bytes).flip();
        JsonPrinter printer = new JsonPrinter(schemaOptions.codec, schemaOptions.schema);
        PrintWriter err = spec.commandLine().getErr();
        Decoder decoder = new Decoder(schemaOptions.codec, schemaOptions.messageType);
        StringBuilder json = new StringBuilder();
        try (PrintWriter output = FramesCommand.writer(out, spec.commandLine().getOut())) {
            if (!delimited) {
                try {
                    printer.appendTo(decoder.decode(buffer, 0, bytes.length), json);
                } catch (FerruleException | JsonException e) {
                    err.println("ferrule: " + e.getMessage());
                    return Main.EXIT_BAD_INPUT;
                }
                output.print(json.append('\n'));
                return written(output, err);
            }
            int at = 0;
            for (int message = 0; at < bytes.length; message++) {
                try {
                    int[] prefix = lengthPrefix(bytes, at);
                    int start = at + prefix[1];
                    json.setLength(0);
                    printer.appendTo(decoder.decode(buffer, start, prefix[0]), json);
                    at = start + prefix[0];
                } catch (FerruleException | JsonException e) {
                    output.flush();
                    err.println("ferrule: message " + message + ": " + e.getMessage());
                    return Main.EXIT_BAD_INPUT;
                }
                output.print(json.append('\n'));
            }
            return written(output, err);
        }
    }

    /** 0, or 3 with a message if the output could not be written (PrintWriter keeps write errors to itself). */
    private int written(PrintWriter output, PrintWriter err) {
        if (output.checkError()) {
            err.println("ferrule: writing the output failed" + (out.equals("-") ? "" : ": " + out));
            return Main.EXIT_FAILURE;
        }
        return 0;
    }

    /**
     * The varint length prefix at {@code at}: {length, bytes the prefix takes}, read as protobuf-java's
     * parseDelimitedFrom reads it.
     */
    static int[] lengthPrefix(byte[] bytes, int at) {
        long value = 0;
        for (int i = 0; i < 10; i++) {
            if (at + i >= bytes.length) {
                throw new FerruleException(ErrorCode.PROTO_TRUNCATED, at, "the input ends inside a length prefix", null);
            }
            int b = bytes[at + i];
            value |= (long) (b & 0x7F) << (7 * i);
            if (b >= 0) {
                int length = (int) value; // the low 32 bits, as readRawVarint32
                if (length < 0) {
                    throw new FerruleException(ErrorCode.PROTO_BAD_LENGTH, at, "length prefix " + length + " is negative", null);
                }
                if ((long) at + i + 1 + length > bytes.length) {
                    throw new FerruleException(ErrorCode.PROTO_TRUNCATED, at, "the length prefix says " + length
                            + " bytes but only " + (bytes.length - at - i - 1) + " follow", null);
                }
                return new int[] {length, i + 1};
            }
        }
        throw new FerruleException(ErrorCode.PROTO_MALFORMED_VARINT, at, "a length prefix is longer than 10 bytes", null);
    }

    /** Decodes messages from one buffer into an arena that grows when a message needs more. */
    static final class Decoder {
        private final ProtoCodec codec;
        private final MessageType type;
        private final MessageReader reader = new MessageReader();
        private Arena arena;

        Decoder(ProtoCodec codec, MessageType type) {
            this.codec = codec;
            this.type = type;
        }

        /** Decodes {@code buffer[start, start + length)}; offsets in errors are indexes in the buffer. */
        MessageReader decode(ByteBuffer buffer, int start, int length) {
            long capacity = Math.max(1 << 20, 16L * length);
            while (true) {
                if (arena == null || arena.capacity() < capacity) {
                    arena = Arena.allocate((int) Math.min(capacity, Integer.MAX_VALUE - 8));
                }
                arena.reset();
                buffer.limit(start + length).position(start);
                try {
                    return codec.decode(type, buffer, arena, reader);
                } catch (FerruleException e) {
                    if (e.code() != ErrorCode.ARENA_EXHAUSTED || arena.capacity() >= Integer.MAX_VALUE - 8) {
                        throw e;
                    }
                    capacity = Math.min((long) arena.capacity() * 4, Integer.MAX_VALUE - 8);
                }
            }
        }
    }
}
