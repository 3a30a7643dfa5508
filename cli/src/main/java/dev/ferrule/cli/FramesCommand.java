package dev.ferrule.cli;

import dev.ferrule.BackendKind;
import dev.ferrule.ErrorCode;
import dev.ferrule.FerruleException;
import dev.ferrule.frame.FrameCodec;
import dev.ferrule.frame.FrameFormat;
import dev.ferrule.frame.FrameTable;
import dev.ferrule.internal.Abi;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ferrule frames encode|decode}: converts between frame streams and a text form with one
 * line per frame,
 *
 * <pre>frame=0 offset=24 length=5 method=1 correlation=7 flags=0x02 payload=68656c6c6f</pre>
 *
 * which {@code decode} prints and {@code encode} reads back ({@code frame}, {@code offset} and
 * {@code length} are informational and ignored on input).
 */
@Command(
        name = "frames",
        description = "Encode and decode Ferrule stream frames or gRPC length-prefixed messages.",
        subcommands = {FramesCommand.Decode.class, FramesCommand.Encode.class})
final class FramesCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Options and files shared by both directions. */
    static final class CodecOptions {
        @Option(names = "--format", defaultValue = "ferrule", description = "ferrule or grpc (default: ${DEFAULT-VALUE})")
        String format;

        @Option(names = "--max-payload", defaultValue = "" + Abi.DEFAULT_MAX_PAYLOAD_LENGTH,
                description = "largest payload accepted, in bytes (default: ${DEFAULT-VALUE})")
        int maxPayload;

        @Option(names = "--backend", description = "native or java (default: whichever is loaded)")
        String backend;

        @Parameters(index = "0", arity = "0..1", defaultValue = "-", description = "input file, - for stdin")
        String in;

        @Parameters(index = "1", arity = "0..1", defaultValue = "-", description = "output file, - for stdout")
        String out;

        FrameCodec codec() {
            FrameCodec.Builder builder = FrameCodec.builder().format(parse(FrameFormat.class, format, "--format"))
                    .maxPayloadLength(maxPayload);
            if (backend != null) {
                builder.backend(parse(BackendKind.class, backend, "--backend"));
            }
            return builder.build();
        }

        private static <E extends Enum<E>> E parse(Class<E> type, String value, String option) {
            try {
                return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new FerruleException(ErrorCode.INVALID_ARGUMENT, option + " does not accept '" + value + "'");
            }
        }
    }

    /** {@code ferrule frames decode [IN] [OUT]}. */
    @Command(name = "decode", description = {
        "Read a frame stream and print one line per frame.",
        "On invalid input, prints the frames before it, then the error code and byte offset, and exits 1."})
    static final class Decode implements java.util.concurrent.Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        CodecOptions options = new CodecOptions();

        @Override
        public Integer call() throws IOException {
            FrameCodec codec = options.codec();
            FrameTable frames = FrameTable.allocate(1024);
            HexFormat hex = HexFormat.of();
            ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 16);
            long bufferBase = 0; // stream offset of buffer index 0
            long frameNumber = 0;
            try (ReadableByteChannel input = Channels.newChannel(open(options.in));
                    PrintWriter output = writer(options.out, spec.commandLine().getOut())) {
                boolean eof = false;
                while (true) {
                    if (!eof) {
                        eof = input.read(buffer) < 0;
                    }
                    buffer.flip();
                    boolean progress;
                    try {
                        progress = false;
                        while (codec.decode(buffer, frames, eof) > 0) {
                            progress = true;
                            for (int i = 0; i < frames.count(); i++) {
                                printFrame(output, hex, buffer, frames, i, frameNumber++, bufferBase);
                            }
                        }
                    } catch (FerruleException e) {
                        output.flush();
                        long at = e.offset() == FerruleException.NO_OFFSET ? -1 : bufferBase + e.offset();
                        spec.commandLine().getErr().println("ferrule: " + e.code().name() + " (code " + e.code().code()
                                + ") at offset " + at + ": " + e.code().description());
                        return Main.EXIT_BAD_INPUT;
                    }
                    if (eof && !buffer.hasRemaining()) {
                        return 0;
                    }
                    int consumedUpTo = buffer.position();
                    bufferBase += consumedUpTo;
                    buffer.compact();
                    if (!progress && !buffer.hasRemaining()) {
                        // A frame larger than the buffer: grow it (the codec already refused frames over the limit).
                        buffer = grow(buffer);
                    }
                }
            }
        }

        private static ByteBuffer grow(ByteBuffer full) {
            long larger = Math.min((long) full.capacity() * 2, Integer.MAX_VALUE - 8);
            ByteBuffer bigger = ByteBuffer.allocateDirect((int) larger);
            full.flip();
            bigger.put(full);
            return bigger;
        }

        private static void printFrame(PrintWriter output, HexFormat hex, ByteBuffer buffer, FrameTable frames, int i,
                long number, long base) {
            int offset = frames.payloadOffset(i);
            int length = frames.payloadLength(i);
            byte[] payload = new byte[length];
            buffer.get(offset, payload);
            output.printf(Locale.ROOT, "frame=%d offset=%d length=%d method=%s correlation=%s flags=0x%02x payload=%s%n",
                    number, base + offset, length, Integer.toUnsignedString(frames.methodId(i)),
                    Long.toUnsignedString(frames.correlationId(i)), frames.flags(i), hex.formatHex(payload));
        }
    }

    /** {@code ferrule frames encode [IN] [OUT]}. */
    @Command(name = "encode", description = {
        "Read frame lines (as decode prints them) and write the frame stream.",
        "Each line: method=N correlation=N flags=N payload=HEX (any may be omitted: 0 / empty)."})
    static final class Encode implements java.util.concurrent.Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        CodecOptions options = new CodecOptions();

        @Override
        public Integer call() throws IOException {
            FrameCodec codec = options.codec();
            FrameLines lines;
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(open(options.in), StandardCharsets.UTF_8))) {
                lines = FrameLines.parse(reader);
            } catch (FrameLines.SyntaxException e) {
                spec.commandLine().getErr().println("ferrule: " + e.getMessage());
                return Main.EXIT_BAD_INPUT;
            }
            FrameTable frames = lines.table();
            long length = codec.encodedLength(frames);
            if (length > Integer.MAX_VALUE - 8) {
                throw new FerruleException(ErrorCode.INVALID_ARGUMENT, "the frames would take " + length
                        + " bytes; split the input");
            }
            ByteBuffer output = ByteBuffer.allocateDirect((int) length);
            try {
                codec.encode(frames, lines.payloads(), output);
            } catch (FerruleException e) {
                spec.commandLine().getErr().println("ferrule: line " + lines.lineOf((int) e.offset()) + ": "
                        + e.getMessage());
                return Main.EXIT_BAD_INPUT;
            }
            output.flip();
            if (options.out.equals("-")) {
                byte[] bytes = new byte[output.remaining()];
                output.get(bytes);
                System.out.write(bytes);
                System.out.flush(); // stdout stays open for whoever runs this command
            } else {
                try (WritableByteChannel channel = Files.newByteChannel(Path.of(options.out), java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
                    while (output.hasRemaining()) {
                        channel.write(output);
                    }
                }
            }
            return 0;
        }
    }

    static InputStream open(String name) throws IOException {
        return name.equals("-") ? System.in : Files.newInputStream(Path.of(name));
    }

    /** A writer for the named file, or for {@code stdout} (which closing only flushes) when the name is -. */
    static PrintWriter writer(String name, PrintWriter stdout) {
        try {
            return name.equals("-")
                    ? new PrintWriter(stdout, false) {
                        @Override
                        public void close() {
                            flush();
                        }
                    }
                    : new PrintWriter(Files.newBufferedWriter(Path.of(name), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
